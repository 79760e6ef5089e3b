"""Named SPARQL queries kept as ``.rq`` files under ``queries/``.

A query file opens with a comment header of ``# key: value`` lines (title, description, their
Dutch forms ``title@nl`` and ``description@nl``, and ``param NAME: TYPE = DEFAULT — text``); the
rest is SPARQL. Code refers to queries by their path below ``queries/`` without the suffix,
for example ``system/stats``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reasoner.errors import NotFound

_HEADER = re.compile(r"^#\s*([A-Za-z@_-]+(?:\s+[A-Za-z_][A-Za-z0-9_]*)?)\s*:\s*(.*)$")


@dataclass(frozen=True)
class QueryParameter:
    name: str
    type: str
    default: str | None
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    sparql: str
    meta: dict[str, str] = field(default_factory=dict)
    parameters: tuple[QueryParameter, ...] = ()

    @property
    def title(self) -> str:
        return self.meta.get("title", self.name)


def _parse(name: str, text: str) -> NamedQuery:
    meta: dict[str, str] = {}
    params: list[QueryParameter] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key.startswith("param "):
            pname = key.split(None, 1)[1]
            ptype, _, rest = value.partition("=")
            default, _, description = rest.partition("—")
            params.append(QueryParameter(pname, ptype.strip(), default.strip() or None, description.strip()))
        else:
            meta[key] = value
    return NamedQuery(name, text, meta, tuple(params))


@lru_cache(maxsize=None)
def _load(directory: Path, name: str) -> NamedQuery:
    path = (directory / f"{name}.rq").resolve()
    if directory.resolve() not in path.parents or not path.is_file():
        raise NotFound(f"no named query {name!r}", where="query name")
    return _parse(name, path.read_text(encoding="utf-8"))


def named_query(directory: Path, name: str) -> NamedQuery:
    """The query ``name`` (e.g. ``"system/stats"``) from the queries folder ``directory``."""
    return _load(directory, name)


def all_queries(directory: Path, folder: str = "") -> list[NamedQuery]:
    """Every named query below ``directory/folder``, sorted by name."""
    base = directory / folder if folder else directory
    return [
        _load(directory, str(p.relative_to(directory).with_suffix("")))
        for p in sorted(base.rglob("*.rq"))
    ]
