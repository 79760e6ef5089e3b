"""Turtle terms for the project's vocabularies and instance IRIs, and the slugs inside them.

The vocabulary itself (which class, which property) is the ontology's; this module only spells
``ms:``/``msid:``/standard-vocabulary names as Turtle terms so the source modules stay short.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from reasoner.namespaces import GRAPH, ID, MS, PREFIXES
from data.build.turtle import iri

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def ms(local: str) -> str:
    """An ``ms:`` term."""
    return iri(str(MS) + local)


def std(qname: str) -> str:
    """A standard-vocabulary term from a prefixed name (``rdfs:label``, ``skos:notation``)."""
    prefix, _, local = qname.partition(":")
    return iri(PREFIXES[prefix] + local)


def node(path: str) -> str:
    """An instance IRI ``msid:<path>``."""
    return iri(str(ID) + path)


def graph(name: str) -> str:
    """The IRI of named graph ``name``."""
    return iri(str(GRAPH) + name)


def slug(value: str) -> str:
    """Lower-case ``[a-z0-9-]`` slug; accents folded, every other run of characters is one ``-``.

    ``|`` (the separator of combination components in ``norm_key``) becomes ``--`` so that
    ``abacavir|lamivudine`` → ``abacavir--lamivudine`` as ARCHITECTURE.md shows.
    """
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    parts = [_NON_SLUG.sub("-", part).strip("-") for part in folded.split("|")]
    return "--".join(parts)


def content_id(*values: object) -> str:
    """A short, stable hash of a record's content, for records without an identifier."""
    digest = hashlib.sha256("\x1f".join(str(v) for v in values).encode("utf-8"))
    return digest.hexdigest()[:12]


def atc(code: str) -> str:
    return node(f"atc/{code}")


def country(code: str) -> str:
    return node(f"country/{code}")


def substance(norm_key: str) -> str:
    return node(f"substance/{slug(norm_key)}")


def org(name: str) -> str:
    return node(f"org/{slug(name)}")


A = std("rdf:type")
LABEL = std("rdfs:label")
COMMENT = std("rdfs:comment")
