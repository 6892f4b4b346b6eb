"""Checks that every id a record refers to exists in the desired organisation."""

import difflib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from gegenstrom_runtime.csv_files import Problem
from intake.org.columns import SPECS
from intake.org.model import OrgData, record_id
from intake.org.rows import Entry, KindFile

SHOWN = 5  # how many known ids or users a reason names at most


@dataclass(frozen=True)
class Reference:
    """A column of one kind that holds ids of another (or the same) kind."""

    kind: str
    column: str
    target: str
    self_reason: str = ""  # when set, a record may not refer to itself


REFERENCES = (
    Reference("departments", "site_id", "sites"),
    Reference("processes", "upstream", "processes", "a process cannot be upstream of itself"),
    Reference("employees", "site_id", "sites"),
    Reference("employees", "department_id", "departments"),
    Reference("employees", "role_id", "roles"),
    Reference("employees", "process_id", "processes"),
    Reference(
        "employees", "manager_personnel_number", "employees", "no one can be their own manager"
    ),
)


def check_references(files: dict[str, KindFile], current: OrgData) -> dict[str, list[Problem]]:
    """Per kind's file: its unknown references, and dropped ids that current data still uses."""
    known = _known_ids(files, current)
    problems: dict[str, list[Problem]] = defaultdict(list)
    for reference in REFERENCES:
        targets = known.get(reference.target)
        if targets is None:
            continue  # the target's file is unusable: its ids are not known
        if reference.kind in files:
            problems[reference.kind] += _check_file(reference, files[reference.kind], targets)
        elif reference.target in files:
            target_file = files[reference.target]
            problems[reference.target] += _check_current(reference, current, target_file, targets)
    return problems


def _known_ids(files: dict[str, KindFile], current: OrgData) -> dict[str, set[str] | None]:
    """The ids of each kind in the desired state; None where a given file is unusable."""
    known: dict[str, set[str] | None] = {k: set(r) for k, r in current.by_kind().items()}
    for kind, kind_file in files.items():
        known[kind] = kind_file.declared_ids() if kind_file.usable else None
    return known


def _check_file(reference: Reference, kind_file: KindFile, known: set[str]) -> list[Problem]:
    """A problem for each id in the file's column that is not known or is the row's own."""
    column = kind_file.headers.get(reference.column, reference.column)
    id_column = SPECS[reference.kind].id_column
    problems = []
    for entry, value in _referenced(reference.column, kind_file.entries):
        if reference.self_reason and value == entry.value(id_column):
            problems.append(Problem(kind_file.file, entry.line, column, reference.self_reason))
        elif value not in known:
            reason = f"unknown {SPECS[reference.target].id_column} '{value}'{_hint(value, known)}"
            problems.append(Problem(kind_file.file, entry.line, column, reason))
    return problems


def _referenced(column: str, entries: list[Entry]) -> Iterator[tuple[Entry, str]]:
    """Each id a column names, row by row, leaving out cells already reported."""
    for entry in entries:
        if column not in entry.bad_columns:
            for value in entry.cells.get(column, []):
                yield entry, value


def _check_current(
    reference: Reference, current: OrgData, target_file: KindFile, known: set[str]
) -> list[Problem]:
    """A problem on the target's file for each id it drops that current records still use."""
    users: dict[str, list[str]] = defaultdict(list)
    field_name = SPECS[reference.kind].field_of(reference.column)
    for record in current.by_kind()[reference.kind].values():
        for value in _as_list(getattr(record, field_name)):
            if value not in known:
                users[value].append(record_id(record))
    id_column = SPECS[reference.target].id_column
    header = target_file.headers.get(id_column, id_column)
    return [
        Problem(target_file.file, 0, header, _dropped_reason(reference, value, sorted(ids)))
        for value, ids in sorted(users.items())
    ]


def _as_list(value: str | list[str] | None) -> list[str]:
    """A field's ids as a list, whether it holds none, one or several."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _dropped_reason(reference: Reference, value: str, users: list[str]) -> str:
    """Say which current records still refer to an id the new file no longer has."""
    id_column = SPECS[reference.target].id_column
    return (
        f"{id_column} '{value}' is not in the file, but current {reference.kind} still "
        f"refer to it in {reference.column}: {_some(users)}"
    )


def _hint(value: str, known: set[str]) -> str:
    """A short list of known ids; from a long one, the most similar first."""
    if not known:
        return " (none known)"
    if len(known) <= SHOWN:
        return f" (known: {', '.join(sorted(known))})"
    similar = difflib.get_close_matches(value, sorted(known), n=SHOWN, cutoff=0.5)
    return f" (known: {_some(similar + sorted(known - set(similar)))})"


def _some(ids: list[str]) -> str:
    """At most SHOWN ids, and how many more there are."""
    more = len(ids) - SHOWN
    return ", ".join(ids[:SHOWN]) + (f" and {more} more" if more > 0 else "")
