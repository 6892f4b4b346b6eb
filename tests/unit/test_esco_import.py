"""The ESCO importer on the EU's own files (the team's copy beside the repository) and on
small files built here."""

import csv
import io

import pytest
from pydantic import ValidationError

from gegenstrom_runtime.csv_files import Problem
from intake.catalog.esco import import_esco
from intake.catalog.model import PROFICIENCY_SCALE, Category, Competence, EscoImport
from support.data import ESCO_DIR, esco_files

ROWS_PER_FILE = {  # as in NOTICE.md, and as python's csv module counts them
    "transversalSkillsCollection_de.csv": 96,
    "digCompSkillsCollection_de.csv": 21,
    "ictSkillsCollection_de.csv": 21,
    "languageSkillsCollection_de.csv": 345,
    "researchSkillsCollection_de.csv": 40,
    "skillGroups_de.csv": 643,
    "skillsHierarchy_de.csv": 638,
    "occupations_de.csv": 3008,
    "ISCOGroups_de.csv": 619,
}
COLLECTIONS = [name for name in ROWS_PER_FILE if "SkillsCollection" in name]
TECHNICAL_PROBLEMS = "esco:14832d87-2f2f-4895-b290-e4760ebae42a"  # in digComp and ict


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return esco_files()


@pytest.fixture(scope="module")
def imported(files: dict[str, bytes]) -> EscoImport:
    return import_esco(files)


@pytest.fixture(scope="module")
def by_id(imported: EscoImport) -> dict[str, Competence]:
    return {c.competence_id: c for c in imported.competences}


def rows_of(name: str) -> list[dict[str, str]]:
    """A file's rows as python's csv module reads them, independent of the importer."""
    with (ESCO_DIR / name).open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def broader_uris(row: dict[str, str]) -> set[str]:
    cell = row.get("broaderConceptUri") or ""
    return {part.strip() for line in cell.splitlines() for part in line.split("|") if part.strip()}


def hierarchy_uris() -> set[str]:
    rows = rows_of("skillsHierarchy_de.csv")
    return {row[f"Level {i} URI"] for row in rows for i in range(4) if row.get(f"Level {i} URI")}


def test_every_file_of_the_folder_is_known_and_read_without_problems(files, imported):
    assert set(files) == set(ROWS_PER_FILE)
    assert imported.report.problems == []
    assert {name: c.rows_read for name, c in imported.report.files.items()} == ROWS_PER_FILE
    assert {name: len(rows_of(name)) for name in files} == ROWS_PER_FILE


def test_counts_per_file_and_in_total(imported):
    counts = imported.report.files
    for name in COLLECTIONS:
        distinct = {row["conceptUri"] for row in rows_of(name)}
        assert (counts[name].competences, counts[name].groups) == (len(distinct), 0)
    assert (counts["skillGroups_de.csv"].groups, counts["skillsHierarchy_de.csv"].groups) == (
        643,
        638,
    )
    assert counts["occupations_de.csv"].occupations == 3008
    assert counts["ISCOGroups_de.csv"].occupations == 619
    skills = {row["conceptUri"] for name in COLLECTIONS for row in rows_of(name)}
    groups = {row["conceptUri"] for row in rows_of("skillGroups_de.csv")} | hierarchy_uris()
    report = imported.report
    assert (report.total_competences, report.total_groups) == (len(skills), len(groups))
    assert (report.total_competences, report.total_groups, report.total_occupations) == (
        493,
        643,
        3008 + 619,
    )


def test_german_labels_keep_their_umlauts(by_id):
    assert by_id[TECHNICAL_PROBLEMS].labels == {"de": "technische Probleme lösen"}
    labels = {c.labels["de"] for c in by_id.values()}
    assert {"Konflikte lösen", "andere unterweisen", "Fähigkeiten"} <= labels


def test_multi_line_descriptions_stay_intact(imported, by_id):
    occupations = {o.uri: o for o in imported.occupations}
    multi_line = [r for r in rows_of("occupations_de.csv") if "\n" in r["description"].strip()]
    assert multi_line
    for row in multi_line:
        assert occupations[row["conceptUri"]].descriptions["de"] == row["description"].strip()


def test_hierarchy_descriptions_are_kept_as_the_english_they_are(by_id):
    rows = [
        r for r in rows_of("skillsHierarchy_de.csv") if "\n" in (r["Description"] or "").strip()
    ]
    assert rows
    for row in rows:
        deepest = [row[f"Level {i} URI"] for i in range(4) if row.get(f"Level {i} URI")][-1]
        group = by_id[esco_id(deepest)]
        assert group.descriptions["en"] == row["Description"].strip()
    assert by_id["esco:S1"].descriptions["en"].startswith("Communicating, collaborating")


def test_hierarchy_levels_are_linked_to_the_level_above(by_id):
    assert by_id["esco:S"].parent_ids == []
    assert by_id["esco:S1"].parent_ids == ["esco:S"]
    assert by_id["esco:S1.1.1"].parent_ids == ["esco:S1.1"]
    assert all(by_id[i].kind == "group" for i in ("esco:S", "esco:S1", "esco:S1.1.1"))


def test_a_skill_links_to_the_imported_groups_it_belongs_to(by_id):
    skill = by_id[TECHNICAL_PROBLEMS]
    assert {"esco:S5.2.3", "esco:7e5147d1-60b1-4a68-804b-1f5cb0396b91"} <= set(skill.parent_ids)
    assert by_id["esco:96de2e86-e287-41f2-88ab-15a2343afc6f"].parent_ids == ["esco:T4.1"]
    assert all(p in by_id for c in by_id.values() for p in c.parent_ids)


def test_broader_concepts_outside_the_import_are_counted_not_errors(imported, by_id):
    imported_uris = hierarchy_uris() | {
        row["conceptUri"] for name in [*COLLECTIONS, "skillGroups_de.csv"] for row in rows_of(name)
    }
    links = {
        (row["conceptUri"], uri)
        for name in COLLECTIONS
        for row in rows_of(name)
        for uri in broader_uris(row) - imported_uris
    }
    assert len(links) > 0
    report = imported.report
    assert report.unresolved_links == len(links)
    assert report.distinct_unresolved_uris == len({uri for _, uri in links})
    recorded = {(c.esco_uri, uri) for c in by_id.values() for uri in c.unresolved_parents}
    assert recorded == links


def test_a_concept_in_several_files_is_one_competence_with_all_its_parents(imported, by_id):
    ids = [c.competence_id for c in imported.competences]
    assert ids == sorted(set(ids))
    broader: dict[str, set[str]] = {}
    for name in COLLECTIONS:
        for row in rows_of(name):
            broader.setdefault(row["conceptUri"], set()).update(broader_uris(row))
    in_several = [r["conceptUri"] for r in rows_of("ictSkillsCollection_de.csv")]
    assert esco_id(in_several[0]) == TECHNICAL_PROBLEMS
    for uri in in_several:
        skill = by_id[esco_id(uri)]
        parents = {by_id[p].esco_uri for p in skill.parent_ids} | set(skill.unresolved_parents)
        assert parents == broader[uri]
    assert by_id[TECHNICAL_PROBLEMS].category == Category.TOOL


def test_categories_follow_the_collections(by_id):
    def category_of(name: str) -> set[Category]:
        return {by_id[esco_id(r["conceptUri"])].category for r in rows_of(name)}

    assert category_of("ictSkillsCollection_de.csv") == {Category.TOOL}
    assert category_of("languageSkillsCollection_de.csv") == {Category.LANGUAGE}
    assert category_of("researchSkillsCollection_de.csv") == {Category.METHOD}
    # transversal skills that are also research skills count as method
    assert category_of("transversalSkillsCollection_de.csv") == {
        Category.SOCIAL,
        Category.METHOD,
        Category.TOOL,
    }
    assert {c.category for c in by_id.values() if c.kind == "group"} == {Category.OTHER}


def test_importing_again_or_in_reverse_order_changes_nothing(files, imported):
    assert import_esco(files) == imported
    assert import_esco(dict(reversed(list(files.items())))) == imported
    dumped = [c.model_dump_json() for c in import_esco(files).competences]
    assert dumped == [c.model_dump_json() for c in imported.competences]


def test_occupations_are_kept_apart_with_their_isco_group(imported, by_id):
    [first] = rows_of("occupations_de.csv")[:1]
    occupation = next(o for o in imported.occupations if o.uri == first["conceptUri"])
    assert (occupation.kind, occupation.isco_group, occupation.code) == (
        "occupation",
        first["iscoGroup"],
        first["code"],
    )
    assert occupation.alt_labels["de"] == first["altLabels"].strip().split("\n")
    assert not any(c.esco_uri == first["conceptUri"] for c in by_id.values())


def test_bad_files_and_rows_become_problems_and_the_rest_still_imports(files):
    broken = csv_bytes(
        ["conceptUri", "preferredLabel", "description"],
        [
            ["http://data.europa.eu/esco/skill/a", "Angebote prüfen", "eine\nzwei Zeilen"],
            ["", "ohne URI", ""],
            ["http://data.europa.eu/esco/skill/b", "", ""],
        ],
    )
    result = import_esco(
        {
            "transversalSkillsCollection_de.csv": files["transversalSkillsCollection_de.csv"],
            "skillGroups_de.csv": "conceptUri,preferredLabel\nx,Grüße\n".encode("latin-1"),
            "greenSkillsCollection_de.csv": broken,
            "mySkills.csv": b"conceptUri,preferredLabel\n",
        }
    )
    problems = result.report.problems
    skipped = "empty; row skipped"  # lines count from the header; row 1 takes two lines
    assert problems[0] == Problem("greenSkillsCollection_de.csv", 4, "conceptUri", skipped)
    assert problems[1] == Problem("greenSkillsCollection_de.csv", 5, "preferredLabel", skipped)
    assert problems[2].file == "mySkills.csv" and problems[2].line == 0
    assert problems[3].file == "skillGroups_de.csv" and "UTF-8" in problems[3].reason
    assert len(problems) == 4
    assert result.report.total_competences == 96 + 1


def test_english_files_add_english_texts_to_the_same_concepts():
    header = ["conceptUri", "preferredLabel", "altLabels", "description"]
    uri = "http://data.europa.eu/esco/skill/T4.1"
    german = csv_bytes(header, [[uri, "Konflikte lösen", "Streit schlichten", "Vermitteln"]])
    english = csv_bytes(header, [[uri, "resolve conflicts", "mediate | settle disputes", ""]])
    result = import_esco(
        {
            "transversalSkillsCollection_en.csv": english,
            "transversalSkillsCollection_de.csv": german,
        }
    )
    [competence] = result.competences
    assert competence.labels == {"de": "Konflikte lösen", "en": "resolve conflicts"}
    assert competence.alt_labels == {
        "de": ["Streit schlichten"],
        "en": ["mediate", "settle disputes"],
    }
    assert competence.descriptions == {"de": "Vermitteln"}


def test_english_alone_is_no_catalog_entry():
    english = csv_bytes(["conceptUri", "preferredLabel"], [["http://x/y", "resolve conflicts"]])
    result = import_esco({"skills_en.csv": english})
    assert result.competences == []
    assert result.report.problems[0].reason == "no German label; skipped"


def test_a_competence_needs_a_german_label_and_an_id_that_fits_its_source():
    with pytest.raises(ValidationError):
        Competence(competence_id="excel-pivot", source="company", labels={"en": "pivot tables"})
    with pytest.raises(ValidationError):
        Competence(competence_id="excel-pivot", source="esco", labels={"de": "Pivot"})
    company = Competence(competence_id="excel-pivot", source="company", labels={"de": "Pivot"})
    assert (company.kind, company.category, company.parent_ids) == ("competence", "other", [])


def test_the_proficiency_scale_has_five_levels_in_german_and_english():
    assert sorted(PROFICIENCY_SCALE) == [0, 1, 2, 3, 4]
    assert all(set(texts) == {"de", "en"} for texts in PROFICIENCY_SCALE.values())


def esco_id(uri: str) -> str:
    return "esco:" + uri.rsplit("/", 1)[-1]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode("utf-8")
