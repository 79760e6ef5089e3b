"""The installed ``medsupply`` command: every :mod:`reasoner.cli` command plus ``serve``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from reasoner.cli import run, settings_from


class _JsonFormatter(logging.Formatter):
    """One JSON object per log line, with the request fields the middleware attaches."""

    _FIELDS = ("request_id", "method", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        entry.update({k: getattr(record, k) for k in self._FIELDS if hasattr(record, k)})
        return json.dumps(entry)


def _register_serve(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser("serve", help="serve the HTTP API (loads the default dataset on first start)")
    parser.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app

    base = settings_from(args)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter())
    logging.basicConfig(level=base.log_level, handlers=[handler], force=True)
    host = args.host or base.host
    port = args.port or base.port
    uvicorn.run(create_app(base), host=host, port=port, log_config=None, access_log=False)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, extra=[_register_serve])


if __name__ == "__main__":
    sys.exit(main())
