"""The dependency report as an XLSX workbook, one sheet per section.

Sheets: summary (with the receipt and the criteria and their citations), substances, products,
countries, single points of failure, sources. Written with xlsxwriter; Excel's row limit caps the
products sheet (said in a last row when it bites).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import xlsxwriter

from reasoner.dependency.report import DependencyReport
from reasoner.dependency.report_tables import (
    PRODUCT_COLUMNS, country_table, criteria_table, product_rows, source_table, spof_table, substance_table,
    summary_table,
)

EXCEL_MAX_ROWS = 1_048_576


def _sheet(book: xlsxwriter.Workbook, name: str, columns: list[str], rows: Iterable[list[object]],
           header: object, widths: dict[int, int] | None = None, start_row: int = 0) -> int:
    sheet = book.get_worksheet_by_name(name) or book.add_worksheet(name)
    sheet.write_row(start_row, 0, columns, header)
    for col, width in (widths or {}).items():
        sheet.set_column(col, col, width)
    row_no = start_row
    for row in rows:
        row_no += 1
        if row_no >= EXCEL_MAX_ROWS - 1:
            sheet.write(row_no, 0, "… truncated at Excel's row limit; the JSON report holds every product")
            break
        sheet.write_row(row_no, 0, ["" if v is None else v for v in row])
    if start_row == 0:
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(1, row_no), len(columns) - 1)
    return row_no


def render_xlsx(report: DependencyReport) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_urls": False})
    header = book.add_format({"bold": True, "bg_color": "#1f3a5f", "font_color": "#ffffff"})
    for name in ("summary", "substances", "products", "countries", "single points of failure", "sources"):
        book.add_worksheet(name)
    columns, rows = summary_table(report)
    last = _sheet(book, "summary", columns, rows, header, {0: 28, 1: 90})
    c_columns, c_rows = criteria_table(report)
    _sheet(book, "summary", c_columns, c_rows, header, start_row=last + 2)
    _sheet(book, "substances", *substance_table(report), header, {0: 40, 1: 28})
    _sheet(book, "products", PRODUCT_COLUMNS, product_rows(report), header, {0: 40, 1: 36})
    _sheet(book, "countries", *country_table(report), header, {1: 24})
    _sheet(book, "single points of failure", *spof_table(report), header, {1: 40, 6: 60})
    _sheet(book, "sources", *source_table(report), header, {0: 40, 1: 60, 7: 80})
    book.close()
    return buffer.getvalue()
