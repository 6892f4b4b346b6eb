"""Reading CSV files as companies and the EU export them: UTF-8 with or without BOM,
comma or semicolon, quoted fields with newlines inside. Columns are found by header name,
never by position. Problems are reported per line and column, never raised one at a time."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    file: str
    line: int  # 1-based physical line where the record starts; 0 for the whole file
    column: str  # header name, or "" for the whole row or file
    reason: str


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (encoding, size, header)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.reason)
        self.problem = problem


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]  # header (as normalised by the reader) -> stripped cell
    extra_cells: int = 0  # cells beyond the header's columns: a sign of a wrong delimiter


@dataclass(frozen=True)
class CsvTable:
    file: str
    headers: list[str]
    rows: list[Row]

    def missing_columns(self, required: set[str]) -> list[Problem]:
        return [
            Problem(self.file, 1, column, f"required column '{column}' is missing")
            for column in sorted(required - set(self.headers))
        ]


def read_csv(file: str, data: bytes, normalise_headers: bool = True) -> CsvTable:
    """Decode and split a CSV file; raises UnreadableFile for what spoils the whole file."""
    if len(data) > MAX_BYTES:
        raise UnreadableFile(Problem(file, 0, "", f"file is larger than {MAX_BYTES} bytes"))
    text = _decode(file, data)
    if not text.strip():
        raise UnreadableFile(Problem(file, 0, "", "file is empty"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    raw_headers = _without_trailing_empty(next(reader))
    headers = [_header(h) if normalise_headers else h.strip() for h in raw_headers]
    duplicates = sorted({h for h in headers if headers.count(h) > 1})
    if duplicates:
        raise UnreadableFile(Problem(file, 1, duplicates[0], "column appears more than once"))
    return CsvTable(file, headers, list(_rows(file, reader, headers)))


def _rows(file: str, reader: Iterator[list[str]], headers: list[str]) -> Iterator[Row]:
    line = 2
    for cells in reader:
        start, line = line, reader.line_num + 1  # type: ignore[attr-defined]
        if not any(c.strip() for c in cells):
            continue
        padded = cells + [""] * (len(headers) - len(cells))
        values = {h: c.strip() for h, c in zip(headers, padded, strict=False)}
        extra = [c for c in cells[len(headers) :] if c.strip()]  # spreadsheets pad rows with ;;
        yield Row(start, values, len(extra))


def _without_trailing_empty(headers: list[str]) -> list[str]:
    while headers and not headers[-1].strip():
        headers = headers[:-1]
    return headers


def _decode(file: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        reason = (
            f"not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "export the file as UTF-8"
        )
        raise UnreadableFile(Problem(file, 0, "", reason)) from error


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _header(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def split_multi(cell: str) -> list[str]:
    """Multi-valued cells: values separated by ' | ' or by newlines."""
    parts = [p.strip() for line in cell.splitlines() for p in line.split("|")]
    return [p for p in parts if p]
