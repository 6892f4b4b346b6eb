"""Reading many keys in chunks, so that SecantusDB's $in stays linear."""

from gegenstrom_runtime.lookups import IN_CHUNK, chunks


def test_chunks_are_sorted_without_repeats_and_no_longer_than_the_limit():
    values = [f"emp-{i:03d}" for i in reversed(range(2 * IN_CHUNK + 3))] + ["emp-000"]
    parts = list(chunks(values))
    assert [len(p) for p in parts] == [IN_CHUNK, IN_CHUNK, 3]
    assert [v for p in parts for v in p] == sorted(set(values))


def test_no_values_no_chunks():
    assert list(chunks([])) == []
