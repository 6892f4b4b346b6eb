"""k-anonymity of aggregate tables: small rows hidden, and the rows that would reveal them."""

from itertools import product

from hypothesis import given
from hypothesis import strategies as st

from gegenstrom_runtime.aggregates import suppressed, suppressed_totals, totals

K = 5
OVER_DEPARTMENTS = (0, 2)  # rows of one site and competence; a site total is published
OVER_SITES = (1, 2)  # rows of one department and competence; a department total is published


def table(cells: dict[tuple[str, str], int], competence: str = "sap-s4-co-pa") -> dict:
    """(site, department) -> employees, as rows for one competence, two of them with a gap."""
    return {
        (site, department, competence): {"employees": n, "with_gap": min(n, 2)}
        for (site, department), n in cells.items()
    }


def hidden(published: dict) -> set[tuple[str, ...]]:
    return {key[:2] for key, row in published.items() if row is None}


def test_a_row_of_five_is_shown_and_a_row_of_four_hidden():
    rows = table({("siegen", "controlling"): 5, ("olpe", "controlling"): 4})
    published = suppressed(rows, K)
    assert published[("siegen", "controlling", "sap-s4-co-pa")] == {"employees": 5, "with_gap": 2}
    assert published[("olpe", "controlling", "sap-s4-co-pa")] is None


def test_one_small_row_in_a_group_hides_the_next_smallest_too():
    rows = table({("siegen", "av"): 4, ("siegen", "fe"): 12, ("siegen", "qs"): 7,
                  ("siegen", "vs"): 30})  # fmt: skip
    assert hidden(suppressed(rows, K, [OVER_DEPARTMENTS])) == {("siegen", "av"), ("siegen", "qs")}


def test_two_small_rows_in_a_group_need_no_further_suppression():
    rows = table({("siegen", "av"): 4, ("siegen", "fe"): 12, ("siegen", "qs"): 3,
                  ("siegen", "vs"): 30})  # fmt: skip
    assert hidden(suppressed(rows, K, [OVER_DEPARTMENTS])) == {("siegen", "av"), ("siegen", "qs")}


def test_ties_hide_the_row_with_the_smaller_key():
    rows = table({("siegen", "av"): 2, ("siegen", "vs"): 9, ("siegen", "fe"): 9})
    assert hidden(suppressed(rows, K, [OVER_DEPARTMENTS])) == {("siegen", "av"), ("siegen", "fe")}


def test_a_secondary_suppression_cascades_into_the_other_dimension():
    rows = table({
        ("siegen", "av"): 4, ("siegen", "fe"): 6, ("siegen", "vs"): 20,
        ("olpe", "av"): 9, ("olpe", "fe"): 7, ("olpe", "vs"): 15,
    })  # fmt: skip
    # siegen/av is small; siegen/fe hides it from the Siegen total; the fe and av totals
    # over the sites then hide olpe/fe and olpe/av
    published = suppressed(rows, K, [OVER_DEPARTMENTS, OVER_SITES])
    assert hidden(published) == {("siegen", "av"), ("siegen", "fe"), ("olpe", "av"), ("olpe", "fe")}
    assert published[("olpe", "vs", "sap-s4-co-pa")] == {"employees": 15, "with_gap": 2}


def test_a_group_can_also_be_given_as_a_function_of_the_key():
    rows = table({("siegen", "av"): 4, ("siegen", "fe"): 12, ("siegen", "qs"): 7})
    by_site = suppressed(rows, K, [lambda key: (key[0], key[2])])
    assert by_site == suppressed(rows, K, [OVER_DEPARTMENTS])


def test_totals_sum_every_field_over_the_dropped_dimensions():
    rows = table({("siegen", "av"): 4, ("siegen", "fe"): 12, ("olpe", "av"): 3})
    assert totals(rows, keep=(0, 2)) == {
        ("siegen", "sap-s4-co-pa"): {"employees": 16, "with_gap": 4},
        ("olpe", "sap-s4-co-pa"): {"employees": 3, "with_gap": 2},
    }
    assert totals(rows, keep=()) == {(): {"employees": 19, "with_gap": 6}}


def test_a_total_of_fewer_than_k_is_hidden():
    rows = table({("siegen", "av"): 4, ("siegen", "fe"): 12, ("olpe", "av"): 3})
    site_totals = suppressed_totals(rows, suppressed(rows, K, [OVER_DEPARTMENTS]), K, (0, 2))
    assert site_totals[("olpe", "sap-s4-co-pa")] is None
    assert site_totals[("siegen", "sap-s4-co-pa")] == {"employees": 16, "with_gap": 4}


def test_a_total_that_equals_a_row_hidden_for_another_groups_sake_is_hidden():
    rows = table({("siegen", "av"): 4, ("siegen", "fe"): 12, ("olpe", "fe"): 20})
    published = suppressed(rows, K, [OVER_DEPARTMENTS, OVER_SITES])
    # siegen/fe hides siegen/av from the Siegen total; olpe/fe hides siegen/fe from the fe
    # total; olpe/fe is alone at Olpe, so the Olpe total would reveal it
    assert hidden(published) == {("siegen", "av"), ("siegen", "fe"), ("olpe", "fe")}
    site_totals = suppressed_totals(rows, published, K, OVER_DEPARTMENTS)
    assert site_totals[("siegen", "sap-s4-co-pa")] == {"employees": 16, "with_gap": 4}
    assert site_totals[("olpe", "sap-s4-co-pa")] is None
    department_totals = suppressed_totals(rows, published, K, OVER_SITES)
    assert department_totals[("av", "sap-s4-co-pa")] is None  # 4 people
    assert department_totals[("fe", "sap-s4-co-pa")] == {"employees": 32, "with_gap": 4}


SITES, DEPARTMENTS, COMPETENCES = ("siegen", "olpe", "brno"), ("av", "fe", "vs"), ("sap", "xls")
GROUPINGS = [(0, 2), (1, 2), (0, 1)]
tables = st.dictionaries(
    st.sampled_from(list(product(SITES, DEPARTMENTS, COMPETENCES))),
    st.integers(min_value=0, max_value=12),
    min_size=1,
)


@given(tables, st.integers(min_value=1, max_value=6))
def test_no_group_with_a_published_total_has_exactly_one_hidden_row(counts, k):
    rows = {key: {"employees": n} for key, n in counts.items()}
    published = suppressed(rows, k, GROUPINGS)
    assert all(published[key] is None for key, n in counts.items() if n < k)
    assert all(published[key] in (None, rows[key]) for key in rows)
    for keep in GROUPINGS:
        for group, total in suppressed_totals(rows, published, k, keep).items():
            members = [key for key in rows if tuple(key[i] for i in keep) == group]
            if total is not None:
                assert sum(published[key] is None for key in members) != 1
            assert (
                total is not None
                or sum(counts[key] for key in members) < k
                or any(published[key] is None for key in members)
            )
