"""Medicinal products named by registration number, shared by the Wgp and synthetic graphs."""

from __future__ import annotations

import re

from data.build import terms as t


def canonical_registration(raw: str, spec: dict) -> tuple[str, str]:
    """(registration number in the contract's form, kind ``rvg``/``eu``/``other``).

    Bare numbers (with a parallel-import reference after ``//`` or ``=``) are RVG numbers and get
    the ``RVG `` prefix the CBG uses; EU numbers stay as published.
    """
    value = raw.strip()
    if re.match(spec["rvg_pattern"], value):
        return spec["rvg_prefix"] + value, "rvg"
    if re.match(spec["eu_pattern"], value):
        return value, "eu"
    return value, "other"


def product_term(registration: str) -> str:
    """``msid:product/<slug of the registration number>`` (``RVG 12345`` → ``rvg-12345``)."""
    value = registration.replace("= ", "=").replace("=", "-eq-")
    return t.node(f"product/{t.slug(value)}")
