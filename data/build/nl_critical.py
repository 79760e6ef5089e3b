"""Graph ``nl-critical-list``: the Dutch colour (rood/oranje/geel) per ATC5 code, and red routes."""

from __future__ import annotations

import json

from data.build import terms as t
from data.build.context import BuildContext
from data.build.turtle import Graph, text


def build(ctx: BuildContext) -> Graph:
    g = Graph("nl-critical-list")
    spec = ctx.mappings["nl_critical"]
    colour_file, red_file = ctx.sources["nl-critical-list"]["files"]
    colours = json.loads(ctx.path(colour_file).read_text(encoding="utf-8"))
    red = json.loads(ctx.path(red_file).read_text(encoding="utf-8"))
    listed = t.node(spec["list"])
    g.add(listed, t.A, t.ms("CriticalMedicinesList"))
    g.add(listed, t.LABEL, text(spec["label"], "en"))
    g.add(listed, t.ms("sourceNote"), text(ctx.sources["nl-critical-list"]["caveat"], "en"))
    for code, colour in colours["map"].items():
        g.add(t.atc(code), t.ms("nlCriticalCategory"), t.ms(spec["colours"][colour]))
    for code in red["ems_rood_atcs"]:
        routes = red["ems_rood_detail"].get(code) or []
        g.add(t.atc(code), t.A, t.ms("ATCCode"))
        g.add_all(t.atc(code), t.ms("nlCriticalRedRoute"), (text(r) for r in routes))
        if not routes:
            g.add(t.atc(code), t.ms("sourceNote"), text("rated red in the route extract; no route given", "en"))
    overlap = len(set(red["ems_rood_atcs"]) & {c for c, v in colours["map"].items() if v == "rood"})
    ctx.note("nl-critical-list", f"{len(colours['map'])} ATC5 colours, {len(red['ems_rood_atcs'])} red-route codes, "
                                 f"{overlap} of them red in the colour map")
    ctx.row_counts["nl-critical-list"] = len(colours["map"]) + len(red["ems_rood_atcs"])
    return g
