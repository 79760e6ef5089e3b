"""Reading the as-of date of a report or scenario from user input."""

from __future__ import annotations

from datetime import date

from reasoner.errors import InputError


def parse_date(value: str | None, where: str = "date") -> date:
    """An ISO date (``2026-11-23``); today when empty. A user-readable error otherwise."""
    if value is None or value == "":
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date; write it as YYYY-MM-DD, for example 2026-11-23", where=where) from None
