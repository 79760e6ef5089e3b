"""Graph ``synthetic``: facts no public source gives, generated deterministically per product.

Every random draw uses a generator seeded with ``synthetic.yaml``'s seed and the product's IRI, so
a product's synthetic facts never change when other products come or go. Organisations are
named ``SYNTHETIC ...`` so nobody mistakes them for companies. Shares of missing values (so that
checks can answer "unknown") and of violations come from ``synthetic.yaml``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from data.build import terms as t
from data.build.context import BuildContext, load_yaml
from data.build.turtle import Graph, boolean, day, decimal, integer, text


def _weighted(rng: random.Random, ranges: list[list[float]]) -> float:
    """A uniform draw from one of ``[low, high, weight]`` ranges chosen by weight."""
    low, high, _w = rng.choices(ranges, weights=[r[2] for r in ranges])[0]
    return rng.uniform(low, high)


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def build(ctx: BuildContext) -> Graph:
    g = Graph("synthetic")
    p = load_yaml("synthetic.yaml")
    start, end = _day(p["period"]["start"]), _day(p["period"]["end"])
    span = (end - start).days
    mahs = [f"{p['label_prefix']} MAH {i:02d}" for i in range(1, p["organisations"]["mah_count"] + 1)]
    for name in mahs:
        g.add(t.org(name), t.A, t.ms("MarketingAuthorisationHolder"))
        g.add(t.org(name), t.LABEL, text(name))
    for w in p["organisations"]["wholesalers"]:
        g.add(t.org(w["name"]), t.A, t.ms(w["class"]))
        g.add(t.org(w["name"]), t.LABEL, text(w["name"]))
    gas_words = p["medicinal_gas"]["group_words"]
    interruptions = short_notice = 0
    for product in sorted(ctx.products):
        facts = ctx.products[product]
        rng = random.Random(f"{p['seed']}|{product}")
        local = product[1:-1].rsplit("/", 1)[-1]
        mah = t.org(rng.choice(mahs))
        g.add(product, t.ms("marketingAuthorisationHolder"), mah)
        wholesaler = rng.choice(p["organisations"]["wholesalers"])
        for holder, role, ranges, tag in (
            (mah, "MahRole", p["stock"]["mah_weeks"], "mah"),
            (t.org(wholesaler["name"]), wholesaler["role"], p["stock"]["wholesaler_weeks"], "wholesaler"),
        ):
            weeks = _weighted(rng, ranges)
            missing_weeks = rng.random() < p["stock"]["missing_weeks_share"]
            on = start + timedelta(days=rng.randrange(span + 1))
            if rng.random() < p["stock"]["missing_position_share"]:
                continue
            position = t.node(f"stock-position/synthetic/{local}/{tag}")
            g.add(position, t.A, t.ms("StockPosition"))
            g.add(position, t.ms("stockOf"), product)
            g.add(position, t.ms("heldBy"), holder)
            g.add(position, t.ms("holderRole"), t.ms(role))
            g.add(position, t.ms("weeksOfDemand"), None if missing_weeks else decimal(Decimal(str(round(weeks, 1)))))
            g.add(position, t.ms("positionDate"), day(on))
        factor = _weighted(rng, p["price"]["factor"])
        if facts.max_price_eur and rng.random() >= p["price"]["missing_share"]:
            price = Decimal(facts.max_price_eur) * Decimal(str(round(factor, 4)))
            g.add(product, t.ms("pharmacyPurchasePriceEur"), decimal(price, p["price"]["places"]))
        prescription = rng.random() < p["prescription_only"]["true_share"]
        if rng.random() >= p["prescription_only"]["missing_share"]:
            g.add(product, t.ms("prescriptionOnly"), boolean(prescription))
        months = rng.choice(p["shelf_life_months"]["choices"])
        if rng.random() >= p["shelf_life_months"]["missing_share"]:
            g.add(product, t.ms("shelfLifeMonths"), integer(months))
        gas = any(word in group for group in facts.groups for word in gas_words)
        g.add(product, t.ms("medicinalGas"), boolean(gas))
        g.add(product, t.ms("namedPatientUse"), boolean(p["named_patient_use"]))
        if rng.random() < p["interruptions"]["share"]:
            interruptions += 1
            notified = start + timedelta(days=rng.randrange(span + 1))
            notice = round(_weighted(rng, p["interruptions"]["notice_weeks"]))
            short_notice += notice < 9
            expected_start = notified + timedelta(weeks=notice)
            duration = rng.randint(*p["interruptions"]["duration_weeks"])
            node = t.node(f"supply-interruption/synthetic/{local}")
            g.add(node, t.A, t.ms("SupplyInterruptionNotification"))
            g.add(node, t.ms("concernsProduct"), product)
            g.add(node, t.ms("notifiedOn"), day(notified))
            g.add(node, t.ms("expectedStart"), day(expected_start))
            if rng.random() >= p["interruptions"]["missing_end_share"]:
                g.add(node, t.ms("expectedEnd"), day(expected_start + timedelta(weeks=duration)))
    ctx.note("synthetic", f"{len(ctx.products)} products; {interruptions} interruption notifications "
                          f"({short_notice} with less than 9 weeks' notice)")
    ctx.row_counts["synthetic"] = len(ctx.products)
    return g
