"""medsupply's HTTP service (FastAPI). It talks to the graph only through :mod:`reasoner`."""
