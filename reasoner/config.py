"""Configuration in one place: every setting has a sane default and an environment variable.

Paths to the project's data folders (ontology, shapes, queries, data) resolve against the
project home, which is the folder that holds this package unless ``MEDSUPPLY_HOME`` says otherwise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

_PACKAGE_HOME = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    """All run-time settings. Build with :func:`load_settings`; pass explicitly, never mutate."""

    home: Path = _PACKAGE_HOME
    store_path: Path = field(default_factory=lambda: Path(".medsupply-store"))
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout_s: float = 10.0
    query_result_limit: int = 100_000
    query_workers: int = 2
    check_processes: int = field(default_factory=lambda: os.cpu_count() or 1)
    prepare_reports: bool = True
    derive_focus_limit: int = 2_000
    write_token: str | None = None
    log_level: str = "INFO"
    base_iri: str = "https://w3id.org/medsupply/"

    @property
    def ontology_dir(self) -> Path:
        return self.home / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.home / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.home / "queries"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def default_dataset_dir(self) -> Path:
        return self.data_dir / "default"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; keyword arguments win over the environment."""
    values: dict[str, object] = {
        "home": Path(_env("MEDSUPPLY_HOME", str(_PACKAGE_HOME))),
        "store_path": Path(_env("MEDSUPPLY_STORE", ".medsupply-store")),
        "host": _env("MEDSUPPLY_HOST", "127.0.0.1"),
        "port": int(_env("MEDSUPPLY_PORT", "8000")),
        "query_timeout_s": float(_env("MEDSUPPLY_QUERY_TIMEOUT", "10")),
        "query_result_limit": int(_env("MEDSUPPLY_QUERY_RESULT_LIMIT", "100000")),
        "query_workers": int(_env("MEDSUPPLY_QUERY_WORKERS", "2")),
        "check_processes": int(_env("MEDSUPPLY_CHECK_PROCESSES", str(os.cpu_count() or 1))),
        "prepare_reports": _env("MEDSUPPLY_PREPARE_REPORTS", "true").lower() not in ("false", "0", "no"),
        "derive_focus_limit": int(_env("MEDSUPPLY_DERIVE_FOCUS_LIMIT", "2000")),
        "write_token": os.environ.get("MEDSUPPLY_WRITE_TOKEN") or None,
        "log_level": _env("MEDSUPPLY_LOG_LEVEL", "INFO"),
        "base_iri": _env("MEDSUPPLY_BASE_IRI", "https://w3id.org/medsupply/"),
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]
