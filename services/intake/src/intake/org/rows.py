"""One org file read row by row: a record for each good row, a problem for each fault."""

from dataclasses import dataclass, replace

from pydantic import ValidationError

from gegenstrom_runtime.csv_files import Problem, Row, UnreadableFile, read_csv, split_multi
from intake.org.columns import SPECS, KindSpec, find_columns
from intake.org.model import OrgRecord


@dataclass(frozen=True)
class Entry:
    """One row: its non-empty cells by column, and its record if the row is good."""

    line: int
    cells: dict[str, list[str]]  # column -> its value, or values for multi-valued columns
    record: OrgRecord | None
    bad_columns: frozenset[str]  # columns already reported; not checked any further

    def value(self, column: str) -> str:
        """The single value of a column, or "" for an empty cell."""
        return self.cells.get(column, [""])[0]


@dataclass(frozen=True)
class KindFile:
    """One kind's file as read; unusable when the file or its header spoils every row."""

    kind: str
    file: str
    headers: dict[str, str]  # column -> the header that gives it in this file
    entries: list[Entry]
    problems: list[Problem]
    usable: bool

    def declared_ids(self) -> set[str]:
        """The ids the file names, even on rows with problems (so these don't cascade)."""
        id_column = SPECS[self.kind].id_column
        return {entry.value(id_column) for entry in self.entries} - {""}

    def records(self) -> dict[str, OrgRecord]:
        """The good rows' records by id."""
        id_column = SPECS[self.kind].id_column
        return {e.value(id_column): e.record for e in self.entries if e.record is not None}


def read_kind_file(kind: str, file: str, data: bytes) -> KindFile:
    """Read one kind's file and check every row on its own."""
    spec = SPECS[kind]
    try:
        table = read_csv(file, data)
    except UnreadableFile as unreadable:
        return KindFile(kind, file, {}, [], [unreadable.problem], usable=False)
    headers, problems = find_columns(spec, table)
    if problems:
        return KindFile(kind, file, headers, [], problems, usable=False)
    entries, problems = _read_rows(spec, file, table.rows, headers)
    return KindFile(kind, file, headers, entries, problems, usable=True)


def _read_rows(
    spec: KindSpec, file: str, rows: list[Row], headers: dict[str, str]
) -> tuple[list[Entry], list[Problem]]:
    """Every row's problems, and the later of two rows with one id left without a record."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    first_lines: dict[str, int] = {}
    for row in rows:
        entry, row_problems = _read_row(spec, file, row, headers)
        key = entry.value(spec.id_column)
        if key in first_lines:
            reason = f"duplicate {spec.id_column} '{key}' (first on line {first_lines[key]})"
            row_problems.append(Problem(file, row.line, headers[spec.id_column], reason))
            entry = replace(entry, record=None)
        elif key:
            first_lines[key] = row.line
        entries.append(entry)
        problems += row_problems
    return entries, problems


def _read_row(
    spec: KindSpec, file: str, row: Row, headers: dict[str, str]
) -> tuple[Entry, list[Problem]]:
    """One row's cells, its record if it is good, and what is wrong with it."""
    cells = {column: _values(spec, column, row.values[h]) for column, h in headers.items()}
    cells = {column: values for column, values in cells.items() if values}
    if row.extra_cells:
        reason = (
            f"{row.extra_cells} more cell(s) than the header's {len(row.values)} columns; "
            "check the delimiter and the quotes"
        )
        unchecked = frozenset(cells) - {spec.id_column}
        return Entry(row.line, cells, None, unchecked), [Problem(file, row.line, "", reason)]
    reasons = {c: f"{c} is required but empty" for c in spec.required if c not in cells}
    record, invalid = _validate(spec, cells)
    reasons.update(invalid)
    problems = [Problem(file, row.line, headers[c], reason) for c, reason in reasons.items()]
    return Entry(row.line, cells, record, frozenset(reasons)), problems


def _values(spec: KindSpec, column: str, cell: str) -> list[str]:
    """A cell's values: split when the column is multi-valued, none when it is empty."""
    if column in spec.multi_valued:
        return split_multi(cell)
    return [cell] if cell else []


def _validate(
    spec: KindSpec, cells: dict[str, list[str]]
) -> tuple[OrgRecord | None, dict[str, str]]:
    """The record the cells make, or the reason per column why they make none."""
    data = {
        spec.field_of(column): values if column in spec.multi_valued else values[0]
        for column, values in cells.items()
    }
    try:
        return spec.model.model_validate(data), {}
    except ValidationError as error:
        return None, _reasons(spec, error)


def _reasons(spec: KindSpec, error: ValidationError) -> dict[str, str]:
    """Pydantic's errors as one plain reason per column; missing cells are reported already."""
    reasons: dict[str, str] = {}
    for detail in error.errors():
        if detail["type"] == "missing":
            continue
        column = spec.column_of(str(detail["loc"][0]))
        is_ours = detail["type"] == "value_error"
        reason = str(detail["ctx"]["error"]) if is_ours else detail["msg"]
        reasons[column] = f"{reasons[column]}; {reason}" if column in reasons else reason
    return reasons
