"""HTTP routers, one module per concern; each exposes ``router`` and is included automatically."""
