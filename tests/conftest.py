"""Shared fixtures: the real store with the default dataset, and the real HTTP server.

The default dataset is loaded once per test worker into a store folder; tests get copies of that
folder so that no test sees another's writes and no load is repeated.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def live_server(prepared_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real ``medsupply serve`` (uvicorn) on a free loopback port; yields its base URL."""
    store_dir = _copy_store(prepared_store_dir, tmp_path_factory.mktemp("server") / "store")
    port = _free_port()
    env = dict(os.environ, MEDSUPPLY_STORE=str(store_dir), MEDSUPPLY_WRITE_TOKEN=WRITE_TOKEN,
               MEDSUPPLY_LOG_LEVEL="WARNING")
    log = open(tmp_path_factory.mktemp("server-log") / "server.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log.name}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.kill()
        raise RuntimeError("server did not answer /health within 120 s")
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
