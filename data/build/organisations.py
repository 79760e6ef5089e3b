"""Organisations named in sources: one IRI per company, whatever legal form the source writes."""

from __future__ import annotations

import re

from data.build import terms as t
from data.build.context import load_yaml

_LEGAL_FORMS: set[str] = set(load_yaml("matching.yaml")["legal_forms"])


def clean_name(name: str) -> str:
    """The name as published, with runs of white space collapsed."""
    return re.sub(r"\s+", " ", name).strip()


def org_key(name: str) -> str:
    """The name without trailing legal-form words (``Sandoz B.V.`` → ``sandoz``), lower case."""
    words = clean_name(name).lower().split(" ")
    while len(words) > 1 and words[-1].strip(",") in _LEGAL_FORMS:
        words.pop()
    return " ".join(words).strip(" ,")


def org_term(name: str) -> str:
    return t.org(org_key(name))
