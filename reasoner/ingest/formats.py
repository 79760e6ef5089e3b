"""What kind of file came in, and its rows or triples, read as a stream.

A file is sniffed once (:func:`sniff`): its SHA-256 (the load's identity), its kind (CSV, XLSX or
one of the RDF formats), and for CSV its encoding and delimiter. The interpretations are fixed and
documented in ``data/templates/README.md``:

- encoding: UTF-8 (a byte-order mark is dropped); a file that is not valid UTF-8 anywhere is read
  as Windows-1252, the encoding Excel writes on Dutch and western-European Windows machines
  (latin-1 text reads the same); the encoding used is reported with the load;
- delimiter: whichever of ``,`` ``;`` and tab occurs most often in the header line (Dutch Excel
  writes ``;``);
- rows: empty rows are skipped; row numbers are those a spreadsheet shows (the header is row 1);
- XLSX: every sheet is a table of its own, except empty sheets and sheets whose name starts with
  ``_`` (notes); date cells are dates, number cells numbers.

Nothing here holds a whole file in memory: CSV and XLSX rows are generated one at a time and RDF
is parsed by pyoxigraph from the path.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from reasoner.errors import InputError, ParseError
from reasoner.store import FORMATS, rdf_format

CHUNK = 1 << 20
TABULAR_SUFFIXES = {"csv": "csv", "tsv": "csv", "txt": "csv", "xlsx": "xlsx", "xlsm": "xlsx"}
DELIMITERS = (",", ";", "\t")
FALLBACK_ENCODING = "cp1252"
Progress = Callable[[int], None]
"""Called with the number of bytes read so far."""


@dataclass(frozen=True)
class FileInfo:
    """What :func:`sniff` found out about one input file."""

    path: Path
    name: str
    size: int
    sha256: str
    kind: str  # "csv" | "xlsx" | "rdf"
    rdf_format: ox.RdfFormat | None = None
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def media_type(self) -> str:
        if self.kind == "csv":
            return "text/csv"
        if self.kind == "xlsx":
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert self.rdf_format is not None
        return self.rdf_format.media_type

    def describe(self) -> dict[str, object]:
        out: dict[str, object] = {"file": self.name, "bytes": self.size, "sha256": self.sha256,
                                  "format": self.media_type}
        if self.encoding:
            out["encoding"] = self.encoding
        if self.delimiter:
            out["delimiter"] = self.delimiter
        return out


@dataclass
class Table:
    """One table of a tabular file: the CSV file itself or one XLSX sheet."""

    name: str  # where problems are reported: the file name, or "file.xlsx, sheet Stock"
    sheet: str | None
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (spreadsheet row number, cell texts)
    header_row: int = 1
    extra: dict[str, object] = field(default_factory=dict)


def sniff(path: Path, *, name: str | None = None, fmt: str | None = None,
          progress: Progress | None = None) -> FileInfo:
    """Hash the file and decide how to read it. ``fmt`` (extension or media type) wins over the name.

    Raises :class:`InputError` for an empty file or a kind we cannot read.
    """
    name = name or path.name
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    size = 0
    head = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if len(head) < 65536:
                head += chunk[: 65536 - len(head)]
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            size += len(chunk)
            if progress:
                progress(size)
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if size == 0 or not head.strip():
        raise InputError(f"{name} is empty: there is nothing to load", where=name)
    kind, rdf = _kind(name, fmt, head)
    info = FileInfo(path=path, name=name, size=size, sha256=digest.hexdigest(), kind=kind, rdf_format=rdf)
    if kind != "csv":
        if kind == "rdf" and not utf8:
            raise ParseError(f"{name} is not valid UTF-8; RDF files must be UTF-8 encoded", where=name)
        return info
    encoding = ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8") if utf8 else FALLBACK_ENCODING
    first_line = head.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()[0] if head else ""
    return FileInfo(path=path, name=name, size=size, sha256=info.sha256, kind="csv",
                    encoding=encoding, delimiter=_delimiter(first_line))


def _kind(name: str, fmt: str | None, head: bytes) -> tuple[str, ox.RdfFormat | None]:
    for hint in (fmt, name):
        if not hint:
            continue
        key = hint.lower().split(";")[0].strip()
        suffix = key.rsplit(".", 1)[-1] if "/" not in key else key
        if suffix in TABULAR_SUFFIXES:
            return TABULAR_SUFFIXES[suffix], None
        if key in ("text/csv", "text/tab-separated-values", "application/csv"):
            return "csv", None
        if key.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"):
            return "xlsx", None
        if suffix == "xls" or key == "application/vnd.ms-excel":
            raise InputError(f"{name} is an old Excel (.xls) file; save it as .xlsx or CSV (UTF-8)", where=name)
        if suffix in FORMATS or "/" in key:
            try:
                return "rdf", rdf_format(key if "/" in key else f"x.{suffix}")
            except ParseError:
                pass
    if head.startswith(b"PK\x03\x04"):
        return "xlsx", None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "rdf", ox.RdfFormat.JSON_LD
    if text.startswith(b"<?xml") or text.startswith(b"<rdf:RDF"):
        return "rdf", ox.RdfFormat.RDF_XML
    if text.startswith((b"@prefix", b"PREFIX", b"@base", b"BASE")):
        return "rdf", ox.RdfFormat.TURTLE
    raise InputError(
        f"cannot tell what kind of file {name} is; name it .csv, .xlsx, .ttl, .nt, .nq, .trig, .jsonld or .rdf",
        where=name,
    )


def _delimiter(header_line: str) -> str:
    counts = {d: _count_outside_quotes(header_line, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


class _CountingReader(io.RawIOBase):
    """A binary file that reports how many bytes were read, for the progress bar."""

    def __init__(self, handle: IO[bytes], progress: Progress | None) -> None:
        self._handle = handle
        self._progress = progress
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._handle.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.position += n
        if self._progress and n:
            self._progress(self.position)
        return n


def read_tables(info: FileInfo, progress: Progress | None = None) -> Iterator[Table]:
    """The tables of a CSV or XLSX file, each with its headers and a generator of its rows."""
    if info.kind == "csv":
        yield _csv_table(info, progress)
    elif info.kind == "xlsx":
        yield from _xlsx_tables(info, progress)
    else:
        raise InputError(f"{info.name} is RDF, not a table", where=info.name)


def _csv_table(info: FileInfo, progress: Progress | None) -> Table:
    raw = open(info.path, "rb")  # noqa: SIM115 - closed by the row generator
    text = io.TextIOWrapper(io.BufferedReader(_CountingReader(raw, progress), CHUNK),
                            encoding=info.encoding or "utf-8", newline="")
    reader = csv.reader(text, delimiter=info.delimiter or ",")
    try:
        headers = next(reader)
    except StopIteration:
        raw.close()
        raise InputError(f"{info.name} is empty: there is nothing to load", where=info.name) from None
    except csv.Error as exc:
        raw.close()
        raise ParseError(f"the header line cannot be read as CSV: {exc}", where=f"{info.name}, row 1") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for cells in reader:
                number += 1
                if any(c.strip() for c in cells):
                    yield number, cells
        except csv.Error as exc:
            raise ParseError(f"this line cannot be read as CSV: {exc}", where=f"{info.name}, row {number + 1}") from None
        finally:
            raw.close()

    return Table(name=info.name, sheet=None, headers=headers, rows=rows())


def _xlsx_tables(info: FileInfo, progress: Progress | None) -> Iterator[Table]:
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(info.path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ParseError(f"{info.name} is not a readable .xlsx workbook ({exc})", where=info.name) from None
    try:
        for sheet in book.worksheets:
            if sheet.title.startswith("_"):
                continue
            rows = sheet.iter_rows(values_only=True)
            header_row = 0
            headers: list[str] | None = None
            for cells in rows:
                header_row += 1
                texts = [cell_text(c) for c in cells]
                if any(texts):
                    headers = texts
                    break
            if headers is None:
                continue
            where = f"{info.name}, sheet {sheet.title}"
            yield Table(name=where, sheet=sheet.title, headers=headers,
                        rows=_xlsx_rows(rows, header_row), header_row=header_row)
    finally:
        book.close()


def _xlsx_rows(rows: Iterator[tuple[object, ...]], header_row: int) -> Iterator[tuple[int, list[str]]]:
    number = header_row
    for cells in rows:
        number += 1
        texts = [cell_text(c) for c in cells]
        if any(texts):
            yield number, texts


def cell_text(value: object) -> str:
    """A spreadsheet cell as text: dates as ISO dates, whole floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()
