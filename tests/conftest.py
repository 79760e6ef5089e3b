"""Shared fixtures: the real store with the default dataset, and the real HTTP server.

The default dataset is loaded once per test worker into a store folder; tests get copies of that
folder so that no test sees another's writes and no load is repeated.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest

from reasoner.config import load_settings
from reasoner.dataset import open_store
from reasoner.store import OxigraphStore

WRITE_TOKEN = "test-write-token"


@pytest.fixture(scope="session")
def prepared_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder holding the default dataset with inferences (closed, ready to copy)."""
    path = tmp_path_factory.mktemp("prepared") / "store"
    store = open_store(load_settings(store_path=path))
    store.flush()
    del store
    return path


def _copy_store(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


@pytest.fixture(scope="session")
def store(prepared_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    """A session-wide store with the default dataset. Do not write to it: use ``fresh_store``."""
    return OxigraphStore(_copy_store(prepared_store_dir, tmp_path_factory.mktemp("session") / "store"))


@pytest.fixture
def fresh_store(prepared_store_dir: Path, tmp_path: Path) -> OxigraphStore:
    """A private copy of the default store for a test that writes."""
    return OxigraphStore(_copy_store(prepared_store_dir, tmp_path / "store"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    prepared_store_dir: Path,
    workdir: Path,
    *,
    env: Mapping[str, str | None] | None = None,
    args: Sequence[str] = (),
    start_timeout_s: float = 180,
) -> Iterator[str]:
    """Run the real ``medsupply serve`` over a copy of the prepared store; yield its base URL.

    ``env`` overrides the environment (``None`` removes a variable, e.g. the write token);
    ``args`` are extra ``serve`` arguments such as ``("--workers", "2")``.
    """
    store_dir = _copy_store(prepared_store_dir, workdir / "store")
    port = _free_port()
    environment = dict(os.environ, MEDSUPPLY_STORE=str(store_dir), MEDSUPPLY_WRITE_TOKEN=WRITE_TOKEN,
                       MEDSUPPLY_LOG_LEVEL="WARNING")
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    log_path = workdir / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for_health(process, base, log_path, start_timeout_s)
            yield base
        finally:
            _stop(process)


def _wait_for_health(process: subprocess.Popen[bytes], base: str, log_path: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log_path}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server did not answer /health within {timeout_s:.0f} s; see {log_path}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and its worker processes (it leads its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def server_factory() -> Callable[..., AbstractContextManager[str]]:
    """:func:`running_server`, for tests that need a server of their own (other limits, no token)."""
    return running_server


@pytest.fixture(scope="session")
def live_server(prepared_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real ``medsupply serve`` (uvicorn) on a free loopback port; yields its base URL."""
    with running_server(prepared_store_dir, tmp_path_factory.mktemp("server")) as base:
        yield base
