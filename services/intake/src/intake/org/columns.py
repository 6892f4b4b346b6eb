"""Which columns each org file has, and the header names HR exports use for them."""

from dataclasses import dataclass, field

from gegenstrom_runtime.csv_files import CsvTable, Problem
from intake.org.model import Department, Employee, OrgRecord, Process, Role, Site

KINDS = ("sites", "departments", "processes", "roles", "employees")


@dataclass(frozen=True)
class KindSpec:
    """The columns of one kind's file and the record each row becomes."""

    model: type[OrgRecord]
    id_column: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)  # column -> model field, if not equal
    multi_valued: frozenset[str] = frozenset()  # cells with several values split by "|"

    def columns(self) -> tuple[str, ...]:
        """All columns, required first."""
        return self.required + self.optional

    def field_of(self, column: str) -> str:
        """The model field a column fills."""
        return self.fields.get(column, column)

    def column_of(self, field_name: str) -> str:
        """The column that fills a model field."""
        reverse = {name: column for column, name in self.fields.items()}
        return reverse.get(field_name, field_name)


SPECS: dict[str, KindSpec] = {
    "sites": KindSpec(Site, "site_id", ("site_id", "name", "country", "language", "time_zone")),
    "departments": KindSpec(Department, "department_id", ("department_id", "name"), ("site_id",)),
    "processes": KindSpec(
        Process,
        "process_id",
        ("process_id", "name"),
        ("upstream",),
        {"upstream": "upstream_ids"},
        frozenset({"upstream"}),
    ),
    "roles": KindSpec(Role, "role_id", ("role_id", "name")),
    "employees": KindSpec(
        Employee,
        "personnel_number",
        (
            *("personnel_number", "first_name", "last_name", "email", "language"),
            *("site_id", "department_id", "role_id"),
        ),
        ("process_id", "manager_personnel_number"),
    ),
}

# Header names as csv_files normalises them (lower case, "_" for spaces and "-"); dots and
# doubled "_" are dropped before the lookup, so "Pers.-Nr." is found as pers_nr.
ALIASES: dict[str, tuple[str, ...]] = {
    "site_id": ("standort", "standort_id", "standortnummer", "werk", "site"),
    "department_id": ("abteilung", "abteilung_id", "abteilungs_id", "department"),
    "process_id": ("prozess", "prozess_id", "prozessschritt", "process", "process_step_id"),
    "role_id": ("rolle", "rolle_id", "funktion", "role"),
    "name": ("bezeichnung",),
    "country": ("land", "ländercode", "laendercode", "country_code"),
    "language": ("sprache", "arbeitssprache", "bevorzugte_sprache", "language_code"),
    "time_zone": ("zeitzone", "timezone", "tz"),
    "upstream": ("vorgänger", "vorgaenger", "vorgelagert", "upstream_ids"),
    "personnel_number": ("personalnummer", "personalnr", "personal_nr", "pers_nr", "persnr"),
    "first_name": ("vorname", "firstname", "given_name"),
    "last_name": ("nachname", "familienname", "lastname", "surname"),
    "email": ("e_mail", "e_mail_adresse", "email_adresse", "mail"),
    "manager_personnel_number": (
        "vorgesetzter",
        "vorgesetzte",
        "vorgesetzte_personalnummer",
        "vorgesetzter_personalnummer",
        "führungskraft",
        "manager",
    ),
}
CANONICAL = {alias: column for column, aliases in ALIASES.items() for alias in aliases}


def find_columns(spec: KindSpec, table: CsvTable) -> tuple[dict[str, str], list[Problem]]:
    """Map each of the kind's columns to its header in the file; report doubles and gaps."""
    headers: dict[str, str] = {}
    problems: list[Problem] = []
    for header in table.headers:
        column = _canonical(header)
        if column not in spec.columns():
            continue  # other columns of an HR export are ignored
        if column in headers:
            reason = f"'{headers[column]}' and '{header}' both give {column}; keep one"
            problems.append(Problem(table.file, 1, header, reason))
        headers.setdefault(column, header)
    found = CsvTable(table.file, list(headers), [])
    problems += [_with_aliases(p) for p in found.missing_columns(set(spec.required))]
    return headers, problems


def _canonical(header: str) -> str:
    """The column a header stands for; "Pers.-Nr." and "pers_nr" are the same."""
    simple = "_".join(part for part in header.replace(".", "_").split("_") if part)
    return CANONICAL.get(header) or CANONICAL.get(simple) or simple


def _with_aliases(problem: Problem) -> Problem:
    """Name a few accepted alternatives in a missing-column problem."""
    aliases = ALIASES.get(problem.column, ())[:3]
    if not aliases:
        return problem
    hint = f" (also accepted: {', '.join(aliases)})"
    return Problem(problem.file, problem.line, problem.column, problem.reason + hint)
