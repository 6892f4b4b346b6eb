"""Organisation import: CSV files in, the desired org data and every problem out. No I/O."""

from dataclasses import dataclass

from gegenstrom_runtime.csv_files import Problem
from intake.org.columns import KINDS, SPECS
from intake.org.diff import EmployeeDiff, KindDiff, OrgDiff, diff_org
from intake.org.model import OrgData
from intake.org.references import check_references
from intake.org.rows import KindFile, read_kind_file

__all__ = [
    "KINDS",
    "SPECS",
    "EmployeeDiff",
    "KindDiff",
    "OrgDiff",
    "OrgParse",
    "diff_org",
    "parse_org",
]


@dataclass(frozen=True)
class OrgParse:
    """The organisation the files describe, and all problems found in them.

    With any problem the caller writes nothing; a dry run shows diff_org(current, desired).
    Rows with problems are left out of desired; an unusable file keeps its kind's current data.
    """

    desired: OrgData
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        """True when the files can be imported as they are."""
        return not self.problems


def parse_org(files: dict[str, tuple[str, bytes]], current: OrgData) -> OrgParse:
    """Read the given kinds' files (kind -> (file name, bytes)); other kinds keep current data."""
    problems = [_unknown_kind(kind, name) for kind, (name, _) in files.items() if kind not in KINDS]
    read = {kind: read_kind_file(kind, *files[kind]) for kind in KINDS if kind in files}
    references = check_references(read, current)
    for kind, kind_file in read.items():
        problems += sorted(kind_file.problems + references.get(kind, []), key=_line)
    return OrgParse(_desired(current, read), problems)


def _unknown_kind(kind: str, file: str) -> Problem:
    """A file given under a kind this import does not know."""
    return Problem(file, 0, "", f"unknown kind '{kind}' (expected one of: {', '.join(KINDS)})")


def _line(problem: Problem) -> int:
    return problem.line


def _desired(current: OrgData, read: dict[str, KindFile]) -> OrgData:
    """Current data with each usable file's kind replaced by the file's good rows."""
    update = {kind: kind_file.records() for kind, kind_file in read.items() if kind_file.usable}
    return current.model_copy(update=update)
