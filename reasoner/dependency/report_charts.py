"""Inline SVG charts for the HTML report, drawn on the server: no script, no CDN, no network.

Three charts, each a function from the report's chart data to an SVG string:
country concentration per substance (stacked bars of country shares, most concentrated first),
the HHI distribution (histogram with the high-concentration threshold marked), and the share of
active-substance suppliers in the focus countries (China and India) per ATC chapter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from html import escape

PALETTE = ["#c0392b", "#e67e22", "#2e86c1", "#27ae60", "#8e44ad", "#16a085", "#d4ac0d", "#5d6d7e",
           "#a04000", "#1f618d"]
OTHER = "#cfd6dd"
FONT = "font-family:'Helvetica Neue',Arial,sans-serif"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'role="img" aria-label="{escape(title)}" style="{FONT};max-width:{width}px">'
            f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def country_colours(concentration: Sequence[dict[str, object]], limit: int = len(PALETTE)) -> dict[str, str]:
    """A stable colour for each of the countries that lead most substances; the rest share grey."""
    leaders: Counter[str] = Counter()
    for row in concentration:
        shares = row["shares"]
        if shares:
            leaders[shares[0][0]] += 1  # type: ignore[index]
    return {country: PALETTE[i] for i, (country, _) in enumerate(leaders.most_common(limit))}


def concentration_chart(concentration: Sequence[dict[str, object]], threshold: float | None,
                        top: int = 30) -> str:
    """Stacked bars: for the ``top`` most concentrated substances, each supplier country's share."""
    rows = list(concentration[:top])
    colours = country_colours(concentration)
    label_w, bar_w, row_h, pad = 190, 520, 17, 28
    width = label_w + bar_w + 90
    height = pad + row_h * len(rows) + 46
    body: list[str] = [f'<text x="{label_w}" y="14" font-size="11" fill="#333">share of active-substance '
                       f"suppliers by country → (HHI at right)</text>"]
    for i, row in enumerate(rows):
        y = pad + i * row_h
        name = str(row["substance"])
        body.append(f'<text x="{label_w - 6}" y="{y + 12}" font-size="11" text-anchor="end" fill="#222">'
                    f"{escape(name[:30])}</text>")
        x = float(label_w)
        for country, share in row["shares"]:  # type: ignore[attr-defined]
            w = bar_w * float(share)
            colour = colours.get(country, OTHER)
            body.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{max(w, 0.5):.1f}" height="{row_h - 4}" '
                        f'fill="{colour}" stroke="#fff" stroke-width="0.6"><title>{escape(name)}: {escape(country)} '
                        f"{share:.0%}</title></rect>")
            if w > 22:
                body.append(f'<text x="{x + w / 2:.1f}" y="{y + 12}" font-size="9" text-anchor="middle" '
                            f'fill="#fff">{escape(country)}</text>')
            x += w
        hhi = row.get("hhi")
        high = threshold is not None and hhi is not None and float(hhi) >= threshold  # type: ignore[arg-type]
        body.append(f'<text x="{label_w + bar_w + 8}" y="{y + 12}" font-size="11" '
                    f'fill="{"#b03a2e" if high else "#333"}" font-weight="{"bold" if high else "normal"}">'
                    f"{float(hhi):,.0f}</text>" if hhi is not None else "")  # type: ignore[arg-type]
    ly = pad + row_h * len(rows) + 14
    lx = label_w
    for country, colour in list(colours.items()) + [("other", OTHER)]:
        body.append(f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{colour}"/>'
                    f'<text x="{lx + 14}" y="{ly + 9}" font-size="10" fill="#333">{escape(country)}</text>')
        lx += 52
    return _svg(width, height, body, "Country concentration of active-substance supply per substance")


def hhi_histogram(bins: Sequence[dict[str, int]], threshold: float | None) -> str:
    """Substances per HHI band of 1,000, with the threshold drawn as a dashed line."""
    width, height, left, bottom, top = 680, 270, 46, 40, 30
    plot_w, plot_h = width - left - 16, height - bottom - top
    peak = max([b["substances"] for b in bins] + [1])
    bar = plot_w / max(1, len(bins))
    body: list[str] = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#555"/>']
    for tick in range(0, peak + 1, max(1, peak // 5)):
        y = top + plot_h - plot_h * tick / peak
        body.append(f'<line x1="{left - 4}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#eee"/>'
                    f'<text x="{left - 7}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#555">{tick}</text>')
    for i, b in enumerate(bins):
        h = plot_h * b["substances"] / peak
        x = left + i * bar
        high = threshold is not None and b["from"] >= threshold
        body.append(f'<rect x="{x + 3:.1f}" y="{top + plot_h - h:.1f}" width="{bar - 6:.1f}" height="{h:.1f}" '
                    f'fill="{"#c0392b" if high else "#2e86c1"}"><title>HHI {b["from"]}–{b["to"]}: '
                    f'{b["substances"]} substances</title></rect>')
        if b["substances"]:
            body.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h - h - 4:.1f}" font-size="10" '
                        f'text-anchor="middle" fill="#333">{b["substances"]}</text>')
        if b["from"] % 1000 == 0:
            body.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="middle" '
                        f'fill="#555">{b["from"]:,}</text>')
    if threshold is not None:
        tx = left + plot_w * threshold / 10_000
        body.append(f'<line x1="{tx:.1f}" y1="{top - 14}" x2="{tx:.1f}" y2="{top + plot_h}" stroke="#b03a2e" '
                    f'stroke-dasharray="5,3" stroke-width="1.5"/><text x="{tx + 4:.1f}" y="{top - 6}" font-size="10" '
                    f'fill="#b03a2e">high concentration ≥ {threshold:,.0f} →</text>')
    body.append(f'<text x="{left + plot_w / 2}" y="{height - 6}" font-size="11" text-anchor="middle" fill="#333">'
                "HHI over supplier countries (0–10,000)</text>")
    return _svg(width, height, body, "Distribution of supplier-country HHI across substances")


def focus_chart(rows: Sequence[dict[str, object]], focus: Sequence[dict[str, str]]) -> str:
    """Per ATC chapter, the share of active-substance suppliers located in each focus country."""
    colours = ["#c0392b", "#e67e22", "#8e44ad", "#16a085"]
    label_w, bar_w, group_h, pad = 250, 380, 12 * max(1, len(focus)) + 10, 24
    width = label_w + bar_w + 70
    height = pad + group_h * len(rows) + 36
    body: list[str] = []
    for i in range(0, 101, 25):
        x = label_w + bar_w * i / 100
        body.append(f'<line x1="{x:.1f}" y1="{pad - 6}" x2="{x:.1f}" y2="{pad + group_h * len(rows)}" stroke="#eee"/>'
                    f'<text x="{x:.1f}" y="{pad - 9}" font-size="10" text-anchor="middle" fill="#555">{i}%</text>')
    for i, row in enumerate(rows):
        y = pad + i * group_h
        label = f'{row["chapter"]} {(row.get("label") or "").title()}'.strip()  # type: ignore[union-attr]
        body.append(f'<text x="{label_w - 6}" y="{y + group_h / 2 + 3:.1f}" font-size="10.5" text-anchor="end" '
                    f'fill="#222">{escape(label[:40])}</text>')
        shares = row.get("shares") or {}
        for j, country in enumerate(focus):
            share = float(shares.get(country["key"], 0.0))  # type: ignore[union-attr]
            w = bar_w * share
            by = y + 4 + j * 12
            body.append(f'<rect x="{label_w}" y="{by}" width="{max(w, 0.5):.1f}" height="10" '
                        f'fill="{colours[j % len(colours)]}"><title>{escape(label)}: {escape(country["label"])} '
                        f'{share:.0%} of {row["suppliers"]} suppliers</title></rect>'
                        f'<text x="{label_w + w + 4:.1f}" y="{by + 9}" font-size="9" fill="#333">{share:.0%}</text>')
    ly = pad + group_h * len(rows) + 14
    for j, country in enumerate(focus):
        body.append(f'<rect x="{label_w + j * 90}" y="{ly}" width="10" height="10" fill="{colours[j % len(colours)]}"/>'
                    f'<text x="{label_w + j * 90 + 14}" y="{ly + 9}" font-size="10" fill="#333">'
                    f'{escape(country["label"])}</text>')
    names = " and ".join(c["label"] for c in focus) or "focus countries"
    return _svg(width, height, body, f"Share of active-substance suppliers in {names} per ATC chapter")
