"""SPARQL 1.1 Protocol details: content negotiation and the service description.

The result format is chosen by the ``Accept`` header, or by a ``format`` parameter (for browsers
and spreadsheets, which cannot set headers); ``format`` wins when both are given. Because the kind
of answer (solutions or a graph) is known only once the query is parsed, negotiation yields one
choice for each kind and the query worker picks the one that fits.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from reasoner.errors import InputError
from reasoner.sparql_guard import GRAPH_FORMATS, SOLUTION_FORMATS

_SOLUTION_MEDIA: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_GRAPH_MEDIA: dict[str, str] = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}
_FORMAT_ALIASES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"),
    "srj": ("json", None),
    "xml": ("xml", "rdfxml"),
    "srx": ("xml", None),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "ntriples": (None, "ntriples"),
    "n-triples": (None, "ntriples"),
    "nt": (None, "ntriples"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    "rdfxml": (None, "rdfxml"),
    "rdf": (None, "rdfxml"),
}
DEFAULT_SOLUTIONS = "json"
DEFAULT_GRAPH = "turtle"
FORMAT_NAMES = sorted(_FORMAT_ALIASES)


class UnsupportedMediaType(InputError):
    """A POST body in a content type the SPARQL protocol does not define."""

    http_status = 415
    title = "Unsupported media type"


@dataclass(frozen=True)
class Negotiated:
    """The format for solutions (SELECT, ASK) and for graphs (CONSTRUCT, DESCRIBE); None = not acceptable."""

    solutions: str | None
    graph: str | None


def _accepted(accept: str) -> list[str]:
    """Media ranges of an Accept header, best first (q=0 dropped; ties keep their order)."""
    ranges: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((-q, index, media))
    return [media for _, _, media in sorted(ranges)]


def _pick(ranges: list[str], table: dict[str, str], default: str) -> str | None:
    for media in ranges:
        if media == "*/*":
            return default
        if media.endswith("/*"):
            family = media[:-1]
            for candidate, name in table.items():
                if candidate.startswith(family):
                    return name
            continue
        if media in table:
            return table[media]
    return None


def negotiate(accept: str | None, format_param: str | None) -> Negotiated:
    """Choose the answer formats from a ``format`` parameter or, failing that, the Accept header."""
    if format_param:
        key = format_param.strip().lower()
        if key in _FORMAT_ALIASES:
            solutions, graph = _FORMAT_ALIASES[key]
            return Negotiated(solutions, graph)
        media = key.split(";")[0].strip()
        if media in _SOLUTION_MEDIA or media in _GRAPH_MEDIA:
            return Negotiated(_SOLUTION_MEDIA.get(media), _GRAPH_MEDIA.get(media))
        raise InputError(
            f"unknown result format {format_param!r}; use one of {', '.join(FORMAT_NAMES)} or a media type "
            "such as application/sparql-results+json or text/turtle", where="format")
    ranges = _accepted(accept or "*/*") or ["*/*"]
    return Negotiated(_pick(ranges, _SOLUTION_MEDIA, DEFAULT_SOLUTIONS), _pick(ranges, _GRAPH_MEDIA, DEFAULT_GRAPH))


# --------------------------------------------------------------------------- service description

_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
_DCTERMS_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
_FORMAT_IRIS: dict[str, str] = {
    "json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}


def service_description(endpoint: str, named_graphs: list[str], timeout_s: float, result_limit: int,
                        prefixes: dict[str, str]) -> list[ox.Triple]:
    """A SPARQL 1.1 Service Description of this endpoint (read-only, union default graph)."""

    def sd(term: str) -> ox.NamedNode:
        return ox.NamedNode(_SD + term)

    service, dataset, default_graph = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    triples = [
        ox.Triple(service, _RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, _DCTERMS_TITLE, ox.Literal("medsupply SPARQL endpoint", language="en")),
        ox.Triple(service, _RDFS_COMMENT, ox.Literal(
            f"Read-only SPARQL 1.1 query endpoint. Updates, LOAD and SERVICE are refused. Each query may run "
            f"{timeout_s:g} s and return at most {result_limit} results. The default graph is the union of all "
            f"named graphs. Predeclared prefixes: {', '.join(f'{p}: <{iri}>' for p, iri in prefixes.items())}.",
            language="en")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, _RDF_TYPE, sd("Graph")),
    ]
    for name in list(SOLUTION_FORMATS) + list(GRAPH_FORMATS):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(_FORMATS + _FORMAT_IRIS[name])))
    for graph in named_graphs:
        node = ox.BlankNode()
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, _RDF_TYPE, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(graph)),
        ]
    return triples


def serialise_graph(triples: list[ox.Triple], graph_format: str) -> tuple[bytes, str]:
    """Triples in one of the graph formats, with the media type to send."""
    fmt = GRAPH_FORMATS[graph_format]
    prefixes = {"sd": _SD, "formats": _FORMATS} if fmt == ox.RdfFormat.TURTLE else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes) if prefixes else ox.serialize(triples, format=fmt)
    media = fmt.media_type
    return body, (f"{media}; charset=utf-8" if media.startswith("text/") else media)
