"""The dependency report as CSV: one row per substance and supply tier, each row carrying its receipt.

CSV has one table, so it holds the core of a HERA submission — the substance × tier figures and
verdicts — and repeats the scope, date and dataset version on every row so a row copied elsewhere
keeps its provenance. Products, countries and sources are in the JSON and XLSX forms.
"""

from __future__ import annotations

import csv
import io

from reasoner.dependency.report import DependencyReport
from reasoner.dependency.report_tables import substance_table


def render_csv(report: DependencyReport) -> bytes:
    columns, rows = substance_table(report)
    receipt = report.receipt
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["scope", "report_date", "dataset_version", *columns])
    for row in rows:
        writer.writerow([receipt.scope, receipt.date, receipt.dataset_version,
                         *("" if v is None else v for v in row)])
    return out.getvalue().encode("utf-8")
