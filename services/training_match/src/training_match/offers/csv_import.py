"""Offers from a CSV file: one row per offer, checked whole before anything is written.

Columns are the fields of ``OfferSpec`` plus ``offer_id``; lists (``site_ids``,
``chain``) separate values with ``|``; ``remote`` is yes/no, ja/nein, true/false or 1/0.
"""

from dataclasses import dataclass, field

from pydantic import ValidationError

from gegenstrom_runtime.csv_files import Problem, Row, UnreadableFile, read_csv, split_multi
from training_match.offers.model import OfferSpec

REQUIRED = {"offer_id", "kind", "title", "competence_id", "reaches_level", "hours"}
LISTS = {"site_ids", "chain"}
KNOWN = {"offer_id", *OfferSpec.model_fields}
YES, NO = {"yes", "ja", "true", "1", "y", "j"}, {"no", "nein", "false", "0", "n", ""}


@dataclass
class ParsedOffers:
    offers: dict[str, OfferSpec] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def parse_offers(file: str, data: bytes) -> ParsedOffers:
    parsed = ParsedOffers()
    try:
        table = read_csv(file, data)
    except UnreadableFile as error:
        parsed.problems.append(error.problem)
        return parsed
    parsed.problems += table.missing_columns(REQUIRED)
    parsed.problems += [
        Problem(file, 1, h, f"unknown column; known columns: {', '.join(sorted(KNOWN))}")
        for h in table.headers
        if h not in KNOWN
    ]
    if parsed.problems:
        return parsed
    for row in table.rows:
        _add(parsed, file, row)
    return parsed


def _add(parsed: ParsedOffers, file: str, row: Row) -> None:
    offer_id = row.values["offer_id"]
    if not offer_id:
        parsed.problems.append(Problem(file, row.line, "offer_id", "empty"))
        return
    if offer_id in parsed.offers:
        parsed.problems.append(Problem(file, row.line, "offer_id", "appears more than once"))
        return
    if row.extra_cells:
        parsed.problems.append(Problem(file, row.line, "", "more cells than columns"))
        return
    try:
        parsed.offers[offer_id] = OfferSpec.model_validate(_fields(row))
    except ValidationError as error:
        parsed.problems += [_problem(file, row.line, e) for e in error.errors()]
    except ValueError as error:
        parsed.problems.append(Problem(file, row.line, "remote", str(error)))


def _fields(row: Row) -> dict:
    fields: dict = {}
    for name, cell in row.values.items():
        if name == "offer_id" or (not cell and name not in LISTS):
            continue
        fields[name] = split_multi(cell) if name in LISTS else cell
    if "remote" in fields:
        fields["remote"] = _yes_no(fields["remote"])
    return fields


def _yes_no(cell: str) -> bool:
    if cell.lower() in YES:
        return True
    if cell.lower() in NO:
        return False
    raise ValueError(f"'{cell}' is not yes or no")


def _problem(file: str, line: int, error) -> Problem:
    column = str(error["loc"][0]) if error["loc"] else ""
    reason = error["msg"].removeprefix("Value error, ")
    return Problem(file, line, column, reason)
