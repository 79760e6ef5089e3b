"""The installed ``medsupply`` command: every :mod:`reasoner.cli` command plus ``serve``."""

from __future__ import annotations

import argparse
import json
import logging
import os
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


def configure_logging(level: str) -> None:
    """JSON log lines on standard error (also called in each worker of ``serve --workers N``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app

    base = settings_from(args)
    configure_logging(base.log_level)
    host = args.host or base.host
    port = args.port or base.port
    if args.workers <= 1:
        uvicorn.run(create_app(base), host=host, port=port, log_config=None, access_log=False)
        return 0
    # Several workers cannot all hold the store's write lock: load the dataset here once, close
    # the store, and let every worker open a read-only view (it reopens when the files change).
    import gc

    from reasoner.dataset import open_store

    store = open_store(base, progress=lambda m: logging.getLogger("medsupply.http").info(m))
    store.flush()
    del store
    gc.collect()
    os.environ["MEDSUPPLY_STORE"] = str(base.store_path.resolve())
    uvicorn.run("api.app:create_worker_app", factory=True, host=host, port=port, workers=args.workers,
                log_config=None, access_log=False)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, extra=[_register_serve])


if __name__ == "__main__":
    sys.exit(main())
