"""Which renderer writes which report format, with its media type and file extension.

One table shared by the command line and the HTTP API, so both offer the same formats under the
same names and serve them with the same media types and file names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reasoner.dependency.report import DependencyReport
from reasoner.errors import InputError


@dataclass(frozen=True)
class ReportFormat:
    name: str
    media_type: str
    extension: str
    render: Callable[[DependencyReport], bytes]


def _formats() -> dict[str, ReportFormat]:
    from reasoner.dependency.report_csv import render_csv
    from reasoner.dependency.report_html import render_html
    from reasoner.dependency.report_jsonld import render_jsonld
    from reasoner.dependency.report_xlsx import render_xlsx

    return {
        "json": ReportFormat("json", "application/ld+json", "jsonld", render_jsonld),
        "csv": ReportFormat("csv", "text/csv; charset=utf-8", "csv", render_csv),
        "xlsx": ReportFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
                             render_xlsx),
        "html": ReportFormat("html", "text/html; charset=utf-8", "html", render_html),
    }


FORMAT_NAMES = ("json", "csv", "xlsx", "html")


def report_format(name: str) -> ReportFormat:
    formats = _formats()
    if name not in formats:
        raise InputError(f"unknown report format {name!r}; use one of {', '.join(FORMAT_NAMES)}", where="format")
    return formats[name]


def file_name(report: DependencyReport, fmt: ReportFormat) -> str:
    """A descriptive download name: ``medsupply-dependencies-union-list-2026-11-23.xlsx``."""
    return f"medsupply-dependencies-{report.receipt.scope}-{report.receipt.date}.{fmt.extension}"
