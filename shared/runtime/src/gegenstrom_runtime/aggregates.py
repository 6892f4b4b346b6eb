"""k-anonymous aggregate tables. Pure: no I/O.

A table maps a key, a tuple of dimension values such as (site_id, department_id,
competence_id), to a row of counts and sums. Every row has an ``employees`` field, how
many employees it describes, and all its other values describe those employees.

What is published, and why: the works council sees aggregates only for groups of at
least k people (mission: BetrVG sections 87 and 94), so that no figure tells about one
person.

- A row describing fewer than k employees is hidden whole (primary suppression).
- Totals are published over groups of rows, e.g. all departments of one site for one
  competence. Where exactly one row of such a group is hidden, it would follow from the
  total minus the shown rows, so the smallest other shown row of the group is hidden too
  (complementary suppression). A row hidden that way can leave another group, in another
  dimension, with exactly one hidden row, so this repeats until no group has one.
- ``totals`` sums rows over the dimensions it drops. ``suppressed_totals`` hides a total
  of fewer than k, and a total whose group still has exactly one hidden row: that
  happens when the row is alone in its group (hidden for another group's sake), and
  then the total would equal it.

Each published total is checked on its own. A total of totals (e.g. per competence over
all sites) is passed as one more grouping of the rows; combinations of several totals
are not checked, so publish no more totals than needed.

Sum only over dimensions in which each employee is in exactly one row (site,
department), not over competences, or ``employees`` counts people more than once.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

EMPLOYEES = "employees"

Key = tuple[str, ...]
K = TypeVar("K", bound=Key)
Row = Mapping[str, float]
# the key positions a group's rows share (the dimensions its total keeps), or a function
# giving each key its group
Grouping = tuple[int, ...] | Callable[[Key], Hashable]


def suppressed(
    table: Mapping[K, Row], k: int, groups: Sequence[Grouping] = ()
) -> dict[K, dict[str, float] | None]:
    """The table with every row that describes fewer than k, or would reveal one, as None."""
    hidden = {key for key, row in table.items() if row[EMPLOYEES] < k}
    members = _groups(list(table), groups)
    while (key := _next_to_hide(table, hidden, members)) is not None:
        hidden.add(key)
    return {key: None if key in hidden else dict(row) for key, row in table.items()}


def totals(table: Mapping[K, Row], keep: Sequence[int]) -> dict[Key, dict[str, float]]:
    """Every field summed over the dimensions not in ``keep`` (positions in the key)."""
    sums: dict[Key, dict[str, float]] = {}
    for key, row in table.items():
        total = sums.setdefault(_project(key, keep), {})
        for field, value in row.items():
            total[field] = total.get(field, 0) + value
    return sums


def suppressed_totals(
    table: Mapping[K, Row], published: Mapping[K, Row | None], k: int, keep: Sequence[int]
) -> dict[Key, dict[str, float] | None]:
    """The totals over ``keep``; None where fewer than k or where it would reveal a row."""
    hidden_in: dict[Key, int] = defaultdict(int)
    for key, row in published.items():
        hidden_in[_project(key, keep)] += row is None
    return {
        group: None if total[EMPLOYEES] < k or hidden_in[group] == 1 else total
        for group, total in totals(table, keep).items()
    }


def _groups(keys: list[K], groupings: Sequence[Grouping]) -> list[list[K]]:
    """The keys of each group with a published total, for every grouping."""
    members: dict[tuple[int, Hashable], list[K]] = defaultdict(list)
    for number, grouping in enumerate(groupings):
        group_of = _group_function(grouping)
        for key in keys:
            members[(number, group_of(key))].append(key)
    return list(members.values())


def _group_function(grouping: Grouping) -> Callable[[Key], Hashable]:
    """A grouping as a function from key to group."""
    if callable(grouping):
        return grouping
    return lambda key: _project(key, grouping)


def _next_to_hide(table: Mapping[K, Row], hidden: set[K], groups: list[list[K]]) -> K | None:
    """The smallest shown row of the first group with exactly one hidden row, if any."""
    for members in groups:
        shown = [key for key in members if key not in hidden]
        if shown and len(members) - len(shown) == 1:
            return min(shown, key=lambda key: (table[key][EMPLOYEES], key))
    return None


def _project(key: Key, keep: Sequence[int]) -> Key:
    """The key parts at the given positions."""
    return tuple(key[position] for position in keep)
