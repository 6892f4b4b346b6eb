import pytest

from gegenstrom_runtime.csv_files import UnreadableFile, read_csv, split_multi


def test_bom_semicolons_and_quoted_newlines_keep_physical_line_numbers():
    table = read_csv("f.csv", '\ufeffId;Name\n1;"zwei\nZeilen"\n2;Müller\n'.encode())
    assert table.headers == ["id", "name"]
    assert [(r.line, r.values["name"]) for r in table.rows] == [(2, "zwei\nZeilen"), (4, "Müller")]


def test_spreadsheet_padding_is_not_an_error_but_real_extra_cells_are_counted():
    table = read_csv("f.csv", b"a,b,,\n1,2,,\n3,4,5\n")
    assert table.headers == ["a", "b"]
    assert [r.extra_cells for r in table.rows] == [0, 1]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("a\nKöln\n".encode("cp1252"), "not UTF-8 (byte 0xf6 at offset 3)"),
        (b"  \n", "file is empty"),
        (b"a,A\n1,2\n", "column appears more than once"),
    ],
)
def test_whole_file_problems_say_what_is_wrong(data, reason):
    with pytest.raises(UnreadableFile) as caught:
        read_csv("f.csv", data)
    assert reason in caught.value.problem.reason


def test_multi_valued_cells_split_on_bars_and_newlines():
    assert split_multi("a | b\nc |  | d") == ["a", "b", "c", "d"]
