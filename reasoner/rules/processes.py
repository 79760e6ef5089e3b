"""Work on parts of the products in several processes, each with its own read-only view of the store.

Unpacking a million fact records is Python work, so one process uses one core whatever threads it
starts. The whole-graph check therefore forks one process per further part: a forked child inherits
the compiled rules and plan as they are (nothing to pickle on the way in), opens the store read-only
(RocksDB allows any number of read-only openers beside the writer) and sends back plain values.

Only stores on disk can be shared this way; an in-memory store is read by this process alone.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from reasoner.errors import MedsupplyError
from reasoner.store import OxigraphStore

P = TypeVar("P")
T = TypeVar("T")


class WorkerFailed(MedsupplyError):
    """A worker process failed or died; the message carries what it reported."""


def in_processes(work: Callable[[P, Any], T], parts: Sequence[P], store: Any) -> list[T]:
    """``work(part, store)`` for each part: the first here on ``store``, each other in a forked process
    on its own read-only opening of the same store. Results come back in the order of ``parts``."""
    path = getattr(store, "path", None)
    if len(parts) < 2 or path is None or "fork" not in multiprocessing.get_all_start_methods():
        return [work(part, store) for part in parts]
    context = multiprocessing.get_context("fork")
    children = []
    for part in parts[1:]:
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(work, part, path, send), daemon=True)
        child.start()
        send.close()
        children.append((child, receive))
    try:
        results = [work(parts[0], store)]
        for child, receive in children:
            try:
                ok, value = receive.recv()
            except EOFError:
                child.join()
                raise WorkerFailed(f"a worker process ended without an answer (exit code {child.exitcode})",
                                   where="processes") from None
            child.join()
            if not ok:
                kind, message, where = value
                raise kind(message, where=where)
            results.append(value)
        return results
    finally:
        for child, receive in children:
            receive.close()
            if child.is_alive():
                child.kill()
                child.join()


def _child(work: Callable[[P, Any], T], part: P, path: Any, send: Any) -> None:
    """Run one part and send (True, result), or (False, (error type, message, where)): a medsupply
    error is raised again as itself in the parent, anything else as :class:`WorkerFailed`."""
    try:
        outcome: tuple[bool, Any] = (True, work(part, OxigraphStore(path, read_only=True)))
    except MedsupplyError as error:
        outcome = (False, (error.__class__, error.message, error.where))
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises it
        outcome = (False, (WorkerFailed, f"a worker process failed: {error.__class__.__name__}: {error}\n"
                                         f"{traceback.format_exc(limit=6)}", "processes"))
    send.send(outcome)
    send.close()
