"""The library entry points: :func:`check_product` and :func:`check_all`.

Per rule: no version valid on the date under the regime → not-applicable ("not in force on D");
scope false → not-applicable; an exemption whose condition holds → not-applicable, citing it
(highest priority first); scope unknown → unknown unless the requirement is satisfied anyway; an
exemption whose condition is unknown while the requirement is not satisfied → unknown; otherwise the
requirement gives satisfied / violated / unknown. Verdict: non-compliant if any rule is violated,
else incomplete if any is unknown, else compliant.

Rules are compiled once per rule set, and planned once per (date, regime); the rule set is cached per
store revision (reasoner/revision_cache.py): a load makes the next check read the rules again.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from reasoner import __version__
from reasoner.config import Settings, load_settings
from reasoner.errors import InputError
from reasoner.memory import collector_paused
from reasoner.namespaces import MS, graph_iri
from reasoner.revision_cache import cached
from reasoner.rules import sharing
from reasoner.rules.evaluate import TV, Compiler, Context, NodeShape, Outcome, k_and, k_not, k_or
from reasoner.rules.explain import describe, fact_records, jsonable, missing_paths, primary_leaf, required_text, actual_value
from reasoner.rules.model import Exemption, Obligation, RuleSet, Version, graph_hash, load_rules
from reasoner.rules import processes, whole_graph
from reasoner.rules.snapshot import Snapshot, from_request, from_store, resolve_product, snapshot_to_quads
from reasoner.rules.versions import applicable, check_regime

KIND = str(MS.kind)


# ---------------------------------------------------------------- plans

@dataclass
class PlanItem:
    obligation: Obligation
    version: Version | None
    note: str | None
    scope: NodeShape | None
    requirement: NodeShape | None
    exemptions: list[tuple[Exemption, NodeShape]]
    base: str | None = None
    base_thresholds: dict[str, Decimal] = field(default_factory=dict)
    paths: set[str] = field(default_factory=set)
    path_order: tuple[str, ...] = ()


@dataclass
class Engine:
    """A loaded, checked and compiled rule set, with its per-(date, regime) plans."""

    rules: RuleSet
    compiler: Compiler
    ontology_hash: str
    synthetic_graphs: set[str]
    plans: dict[tuple[date, str], list[PlanItem]] = field(default_factory=dict)

    def plan(self, on: date, regime: str) -> list[PlanItem]:
        key = (on, regime)
        cached = self.plans.get(key)
        if cached is not None:
            return cached
        items: dict[str, PlanItem] = {}
        for ob in self.rules.obligations:
            chosen = applicable(ob, on, regime)
            v = chosen.version
            item = PlanItem(ob, v, chosen.note,
                            self.compiler.node(v.scope) if v else None,
                            self.compiler.node(v.requirement) if v else None,
                            [(ex, self.compiler.node(ex.condition)) for ex in ob.exemptions if ex.valid_on(on)])
            if v is not None:
                item.paths = item.scope.paths() | item.requirement.paths()  # type: ignore[union-attr]
                for _ex, cond in item.exemptions:
                    item.paths |= cond.paths()
            item.path_order = tuple(sorted(item.paths))
            items[ob.iri] = item
        ordered: list[PlanItem] = []
        for item in items.values():
            if item.version is not None and item.version.adds_to:
                base = items[item.version.adds_to]
                item.base = base.obligation.iri
                for path in item.requirement.paths():  # type: ignore[union-attr]
                    if base.requirement is not None:
                        threshold = base.requirement.min_threshold(path)
                        if threshold is not None:
                            item.base_thresholds[path] = threshold
        ordered = sorted(items.values(), key=lambda i: (i.base is not None, i.obligation.id))
        if len(self.plans) > 64:
            self.plans.clear()
        self.plans[key] = ordered
        return ordered


@dataclass
class RuleOutcome:
    item: PlanItem
    status: str
    applies: TV
    scope: Outcome | None = None
    requirement: Outcome | None = None
    exemption: Exemption | None = None
    unknown_exemptions: list[Exemption] = field(default_factory=list)
    offsets: dict[str, tuple[Decimal, ...]] = field(default_factory=dict)


def evaluate_rule(item: PlanItem, snap: Snapshot, ctx: Context) -> RuleOutcome:
    """One rule's status on one snapshot (the decision procedure in the module docstring)."""
    if item.version is None:
        return RuleOutcome(item, "not-applicable", False)
    scope = item.scope.evaluate(snap, ctx)  # type: ignore[union-attr]
    requirement = item.requirement.evaluate(snap, ctx)  # type: ignore[union-attr]
    if scope.tv is False:
        return RuleOutcome(item, "not-applicable", False, scope, requirement, offsets=ctx.offsets)
    unknown: list[Exemption] = []
    for ex, cond in item.exemptions:
        tv = cond.evaluate(snap, ctx).tv
        if tv is True:
            return RuleOutcome(item, "not-applicable", False, scope, requirement, exemption=ex, offsets=ctx.offsets)
        if tv is None:
            unknown.append(ex)
    applies = k_and([scope.tv, None if unknown else True])
    if scope.tv is None:
        status = "satisfied" if requirement.tv is True else "unknown"
    elif requirement.tv is True:
        status = "satisfied"
    elif unknown:
        status = "unknown"
    elif requirement.tv is False:
        status = "violated"
    else:
        status = "unknown"
    return RuleOutcome(item, status, applies, scope, requirement, unknown_exemptions=unknown, offsets=ctx.offsets)


def evaluate_plan(plan: list[PlanItem], snap: Snapshot, two_valued: bool = False) -> list[RuleOutcome]:
    """Every rule on one snapshot, base rules first so cumulative requirements know what they add to."""
    done: dict[str, RuleOutcome] = {}
    for item in plan:
        offsets: dict[str, tuple[Decimal, ...]] = {}
        if item.base is not None:
            base = done[item.base]
            for path, threshold in item.base_thresholds.items():
                if base.applies is True:
                    offsets[path] = (threshold,)
                elif base.applies is False:
                    offsets[path] = (Decimal(0),)
                else:
                    offsets[path] = (Decimal(0), threshold)
        done[item.obligation.iri] = evaluate_rule(item, snap, Context(two_valued=two_valued, offsets=offsets))
    return [done[item.obligation.iri] for item in sorted(plan, key=lambda i: i.obligation.id)]


def plan_paths(plan: list[PlanItem]) -> frozenset[str]:
    """Every property the plan's rules read (their shapes' paths, nested records' included)."""
    return frozenset(set().union(*(item.paths for item in plan)))


def plan_layout(plan: list[PlanItem]) -> sharing.Layout:
    """What the plan's rules can tell apart of each path they read (:mod:`reasoner.rules.sharing`)."""
    return sharing.layout((shape, item.base_thresholds) for item in plan if item.version is not None
                          for shape in (item.scope, item.requirement, *(cond for _ex, cond in item.exemptions)))


@dataclass
class SharedEvaluations:
    """Statuses already worked out in one whole-graph run: per product signature, and per rule."""

    paths: sharing.Layout
    products: dict[tuple[Any, ...], list[tuple[PlanItem, str]]] = field(default_factory=dict)
    rules: dict[tuple[Any, ...], tuple[str, TV]] = field(default_factory=dict)
    values: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    """The signature of each (path, value) seen."""

    def __post_init__(self) -> None:
        self.position = {path: i for i, (path, _tests) in enumerate(self.paths)}


def evaluate_statuses(plan: list[PlanItem], snap: Snapshot, shared: SharedEvaluations) -> list[tuple[PlanItem, str]]:
    """Statuses only (no explanations), shared by products the rules cannot tell apart: the whole-graph path.

    Evaluation is a pure function of what a rule can tell apart of its paths' values and of whether
    its base rule applies, so a product with the signature of one seen before gets its statuses, and
    otherwise each rule is looked up on its own paths; a product with a nested record is evaluated
    on its own."""
    found = sharing.signature(snap, shared.paths, shared.values)
    if found is None:
        return _rule_statuses(plan, snap, None, None)
    known = shared.products.get(found)
    if known is None:
        known = shared.products[found] = _rule_statuses(plan, snap, shared, found)
    return known


def _rule_statuses(plan: list[PlanItem], snap: Snapshot, shared: SharedEvaluations | None,
                   found: tuple[tuple[Any, ...], ...] | None) -> list[tuple[PlanItem, str]]:
    """Each rule's status, base rules first, memoised per rule on the signatures of its paths."""
    done: dict[str, TV] = {}
    out: list[tuple[PlanItem, str]] = []
    for item in plan:
        if item.version is None:
            done[item.obligation.iri] = False
            out.append((item, "not-applicable"))
            continue
        offsets: dict[str, tuple[Decimal, ...]] = {}
        if item.base is not None:
            base_applies = done[item.base]
            for path, threshold in item.base_thresholds.items():
                if base_applies is True:
                    offsets[path] = (threshold,)
                elif base_applies is False:
                    offsets[path] = (Decimal(0),)
                else:
                    offsets[path] = (Decimal(0), threshold)
        key = None
        if shared is not None and found is not None:
            key = (item.obligation.iri, tuple(sorted(offsets.items())),
                   tuple(found[shared.position[p]] for p in item.path_order))
        cached = shared.rules.get(key) if key is not None else None  # type: ignore[union-attr]
        if cached is None:
            outcome = evaluate_rule(item, snap, Context(offsets=offsets))
            cached = (outcome.status, outcome.applies)
            if key is not None:
                shared.rules[key] = cached  # type: ignore[union-attr]
        done[item.obligation.iri] = cached[1]
        out.append((item, cached[0]))
    out.sort(key=lambda pair: pair[0].obligation.id)
    return out


def verdict(statuses: list[str]) -> str:
    if "violated" in statuses:
        return "non-compliant"
    if "unknown" in statuses:
        return "incomplete"
    return "compliant"


# ---------------------------------------------------------------- engine cache

def _graph_from_store(store: Any, graph: str) -> Graph:
    g = Graph()
    data = "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in store.quads(graph))
    if data:
        g.parse(data=data, format="nt")
    return g


def engine_for(store: Any, settings: Settings | None = None) -> Engine:
    """The compiled rules of the store's shapes graph (loaded from ``shapes/`` when the store has none).

    Cached per store revision (:mod:`reasoner.revision_cache`), so a check pays for the rules once,
    not on every call."""
    settings = settings or load_settings()
    return cached(store, ("rules-engine", settings.shapes_dir), lambda: _compile(store, settings), keep=1)


def _compile(store: Any, settings: Settings) -> Engine:
    graph = _graph_from_store(store, graph_iri("shapes"))
    if len(graph) == 0:
        from reasoner.rules.model import load_rules_from_files

        rules = load_rules_from_files(settings.shapes_dir)
    else:
        rules = load_rules(graph)
    ontology = _graph_from_store(store, graph_iri("ontology"))
    # graphs the catalog marks synthetic: asked per named graph (a few dozen), because products
    # carry ms:synthetic too and a pattern over the property would pass every one of them
    synthetic = {g for g in store.named_graphs()
                 if any(True for _ in store.raw.quads_for_pattern(
                     ox.NamedNode(g), ox.NamedNode(str(MS.synthetic)), ox.Literal(True), None))}
    synthetic.add(graph_iri("synthetic"))
    return Engine(rules, Compiler(rules.graph), graph_hash(ontology), synthetic)


# ---------------------------------------------------------------- answers

def parse_date(value: date | str, where: str = "date") -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"expected a date as YYYY-MM-DD, got {value!r}", where=where) from None


def _message(outcome: RuleOutcome, on: date, regime: str) -> tuple[str, Any, Any, Any]:
    """The message, required, actual and unit of one rule outcome."""
    item = outcome.item
    if item.version is None:
        versions = [v for v in item.obligation.versions if regime == "proposed" or v.regime == "in-force"]
        starts = sorted(v.valid_from for v in versions if v.valid_from)
        hint = f"; first version from {starts[0].isoformat()}" if starts and on < starts[0] else ""
        return f"not in force on {on.isoformat()} under regime {regime}{hint}", None, None, None
    if outcome.exemption is not None:
        ex = outcome.exemption
        basis = "; ".join(filter(None, (a.instrument.identifier for a in ex.legal_basis)))
        text = f"exempt: {ex.title} ({basis})"
        if ex.explanation:
            text += f". {ex.explanation}"
        return text, None, None, None
    if outcome.status == "not-applicable":
        leaf = primary_leaf(outcome.scope, False)  # type: ignore[arg-type]
        return f"does not apply: {describe(leaf)}", None, None, None
    req = outcome.requirement
    assert req is not None
    wanted = {"satisfied": True, "violated": False, "unknown": None}[outcome.status]
    leaf = primary_leaf(req, wanted) if outcome.status != "unknown" or req.tv is None else primary_leaf(req, req.tv)
    required = required_text(leaf) if leaf else None
    actual = actual_value(leaf) if leaf else None
    unit = leaf.unit if leaf else None
    if outcome.status == "unknown":
        if outcome.scope is not None and outcome.scope.tv is None:
            text = f"unknown whether the rule applies: missing {', '.join(missing_paths(outcome.scope)) or 'facts'}"
        elif outcome.unknown_exemptions:
            text = "unknown whether an exemption applies: " + ", ".join(e.title for e in outcome.unknown_exemptions)
        else:
            text = f"unknown: missing {', '.join(missing_paths(req)) or 'facts'} to decide: {describe(leaf)}"
    else:
        text = f"{outcome.status}: {describe(leaf)}"
    if outcome.offsets:
        text += " (extra stock on top of the base wholesaler requirement that applies on this date)"
    if item.note:
        text += f". Note: {item.note}"
    return text, required, actual, unit


def result_record(outcome: RuleOutcome, snap: Snapshot, on: date, regime: str, engine: Engine) -> dict[str, Any]:
    item = outcome.item
    ob = item.obligation
    message, required, actual, unit = _message(outcome, on, regime)
    basis = list(ob.legal_basis) + [a for a in (item.version.legal_basis if item.version else ()) if a not in ob.legal_basis]
    record: dict[str, Any] = {
        "obligation": ob.id,
        "title": ob.title,
        "status": outcome.status,
        "message": message,
        "required": required,
        "actual": actual,
        "unit": unit,
        "legal_basis": [a.citation() for a in basis],
        "rule_version": ({"id": item.version.iri, "valid_from": item.version.valid_from.isoformat() if item.version.valid_from else None,
                          "valid_until": item.version.valid_until.isoformat() if item.version.valid_until else None,
                          "regime": item.version.regime} if item.version else None),
    }
    if outcome.exemption is not None:
        ex = outcome.exemption
        record["exemption"] = {"id": ex.iri, "title": ex.title, "legal_basis": [a.citation() for a in ex.legal_basis],
                               "explanation": ex.explanation}
    if item.note:
        record["note"] = item.note
    record["facts"] = fact_records(snap, item.paths, engine.synthetic_graphs) if item.version else []
    return record


def snapshot_hash(snap: Snapshot) -> str:
    lines = sorted(f"{q.predicate} {q.object} {q.graph_name}" for q in snapshot_to_quads(snap))
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def answer(snap: Snapshot, on: date, regime: str, engine: Engine) -> dict[str, Any]:
    outcomes = evaluate_plan(engine.plan(on, regime), snap)
    results = [result_record(o, snap, on, regime, engine) for o in outcomes]
    return {
        "date": on.isoformat(),
        "regime": regime,
        "product": snap.focus,
        "verdict": verdict([r["status"] for r in results]),
        "results": results,
        "receipt": {
            "engine_version": __version__,
            "ontology_hash": engine.ontology_hash,
            "shapes_hash": engine.rules.shapes_hash,
            "data_hash": snapshot_hash(snap),
            "date": on.isoformat(),
            "regime": regime,
        },
    }


def snapshot_for(store: Any, product: str | dict[str, Any], on: date, settings: Settings,
                 needed: frozenset[str] | None = None) -> Snapshot:
    """The facts of a product in the store or described as JSON; ``needed`` lets a store product
    skip the fact families no rule in play reads."""
    if isinstance(product, dict):
        return from_request(product, store, on, settings.shapes_dir / "context" / "product-request.yaml",
                            settings.queries_dir, KIND)
    if not isinstance(product, str) or not product.strip():
        raise InputError("expected a product id (registration number or IRI) or a product JSON object", where="product")
    return from_store(store, resolve_product(store, product), on, settings.queries_dir, KIND, needed)


def check_product(store: Any, product: str | dict[str, Any], on: date | str, regime: str = "in-force",
                  settings: Settings | None = None) -> dict[str, Any]:
    """Check one product (registration number, IRI, or request JSON) as of ``on`` under ``regime``.

    Returns the response JSON of issue 3: date, regime, verdict, one result per rule, receipt.
    Raises :class:`InputError` (naming the field) on bad input and :class:`NotFound` for an unknown product.
    """
    settings = settings or load_settings()
    on = parse_date(on)
    check_regime(regime)
    engine = engine_for(store, settings)
    plan = engine.plan(on, regime)
    snap = snapshot_for(store, product, on, settings, plan_paths(plan))
    return answer(snap, on, regime, engine)


def check_all(store: Any, on: date | str, regime: str = "in-force", settings: Settings | None = None,
              progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Check every product in the store: a summary and one row per product × rule (``rows``, made
    as they are read: ten million dicts at a million products would not fit in memory).

    The products are read and judged in ``settings.check_processes`` parts, each in its own process
    on a store on disk (:mod:`reasoner.rules.processes`); ``progress`` hears this process's part: each
    fact family read and the evaluation's time."""
    settings = settings or load_settings()
    say = progress or (lambda _m: None)
    on = parse_date(on)
    check_regime(regime)
    engine = engine_for(store, settings)
    plan = engine.plan(on, regime)
    items = sorted(plan, key=lambda item: item.obligation.id)
    reg_prop = str(MS.registrationNumber)
    wanted = plan_paths(plan) | {reg_prop}
    parts = whole_graph.parts(settings.check_processes)

    def judge(part: whole_graph.Part, part_store: Any) -> list[tuple[str, str, tuple[str, ...]]]:
        """(product, registration number, statuses in the order of ``items``) of every product in the part."""
        tell = say if part == parts[0] else None
        shared = SharedEvaluations(plan_layout(plan))
        known: dict[tuple[str, ...], tuple[str, ...]] = {}
        judged = []
        with collector_paused():
            snapshots = list(whole_graph.all_from_store(part_store, on, settings.queries_dir, KIND, tell, wanted, part))
            started = time.perf_counter()
            for snap in snapshots:
                statuses = tuple(status for _item, status in evaluate_statuses(plan, snap, shared))
                reg = snap.values(reg_prop)
                judged.append((snap.focus, str(reg[0]) if reg else "", known.setdefault(statuses, statuses)))
            del snapshots  # freed here, before the collector is back and would walk them
        if tell is not None:
            tell(f"evaluated {len(judged)} products in {time.perf_counter() - started:.1f} s")
        return judged

    products = [judged for part in processes.in_processes(judge, parts, store) for judged in part]
    products.sort()
    verdicts: dict[str, int] = {"compliant": 0, "non-compliant": 0, "incomplete": 0}
    per_rule: dict[str, dict[str, int]] = {}
    for statuses, count in Counter(statuses for _p, _r, statuses in products).items():
        verdicts[verdict(list(statuses))] += count
        for item, status in zip(items, statuses):
            counts = per_rule.setdefault(item.obligation.id, {})
            counts[status] = counts.get(status, 0) + count
    return {"date": on.isoformat(), "regime": regime, "products": len(products),
            "verdicts": verdicts, "rules": per_rule, "rows": ResultRows(items, products),
            "receipt": {"engine_version": __version__, "ontology_hash": engine.ontology_hash,
                        "shapes_hash": engine.rules.shapes_hash, "date": on.isoformat(), "regime": regime}}


class ResultRows:
    """The rows of :func:`check_all`, one per product × rule, made as they are iterated."""

    def __init__(self, items: list[PlanItem], products: list[tuple[str, str, tuple[str, ...]]]) -> None:
        self.items, self.products = items, products

    def __len__(self) -> int:
        return len(self.products) * len(self.items)

    def __iter__(self) -> Iterator[dict[str, str]]:
        for product, registration, statuses in self.products:
            for item, status in zip(self.items, statuses):
                yield {"product": product, "registration_number": registration, "obligation": item.obligation.id,
                       "status": status, "rule_version": item.version.iri if item.version else ""}


__all__ = ["check_product", "check_all", "engine_for", "evaluate_plan", "verdict", "jsonable", "k_or", "k_not"]
