"""Import of the ESCO CSV files as the EU publishes them: bytes in, catalog models out.
Files are read in a fixed order and links resolved at the end, so the order the caller
gives them in does not matter and a repeated import gives an equal result."""

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from gegenstrom_runtime.csv_files import CsvTable, Problem, UnreadableFile, read_csv, split_multi
from intake.catalog.model import (
    Category,
    Competence,
    EscoImport,
    EscoOccupation,
    EscoReport,
    FileCounts,
    esco_competence_id,
)

FILE_NAME = re.compile(r"(?P<stem>[A-Za-z]+)_(?P<language>[a-z]{2})\.csv")
COLLECTION_CATEGORIES = {
    "digCompSkillsCollection": Category.TOOL,
    "ictSkillsCollection": Category.TOOL,
    "researchSkillsCollection": Category.METHOD,
    "transversalSkillsCollection": Category.SOCIAL,
    "languageSkillsCollection": Category.LANGUAGE,
}
# A skill in several collections gets the most specific of their categories.
CATEGORY_RANK = [Category.TOOL, Category.LANGUAGE, Category.METHOD, Category.SOCIAL, Category.OTHER]
HIERARCHY_LEVELS = range(4)
# ESCO ships the hierarchy's descriptions in English in every language's export.
HIERARCHY_TEXT_LANGUAGE = "en"
CONCEPT_COLUMNS = {"conceptUri", "preferredLabel"}


@dataclass
class _Draft:
    """What the files said so far about one concept."""

    kind: str  # competence, group, occupation or isco_group
    first_seen: tuple[str, int]  # file and line, for problems found after reading
    category: Category = Category.OTHER
    labels: dict[str, str] = field(default_factory=dict)
    alt_labels: dict[str, list[str]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    broader: set[str] = field(default_factory=set)
    code: str = ""
    isco_group: str = ""

    def add_texts(self, language: str, values: dict[str, str]) -> None:
        """Take label, alternative labels and description; the first file read wins."""
        self.labels.setdefault(language, values["preferredLabel"])
        known = self.alt_labels.setdefault(language, [])
        known += [a for a in split_multi(values.get("altLabels", "")) if a not in known]
        if values.get("description"):
            self.descriptions.setdefault(language, values["description"])

    def texts(self) -> dict[str, Any]:
        """Labels, alternative labels and descriptions, ordered by language."""
        return {
            "labels": _by_language(self.labels),
            "alt_labels": _by_language(self.alt_labels),
            "descriptions": _by_language(self.descriptions),
        }

    def add_category(self, category: Category) -> None:
        self.category = min(category, self.category, key=CATEGORY_RANK.index)


def import_esco(files: dict[str, bytes]) -> EscoImport:
    """Import ESCO CSV files (name as published -> content); problems go into the report."""
    importer = _Importer()
    for name in sorted(files, key=lambda n: (n.startswith("skillsHierarchy"), n)):
        importer.read(name, files[name])
    return importer.result()


class _Importer:
    def __init__(self) -> None:
        self.concepts: dict[str, _Draft] = {}
        self.occupations: dict[str, _Draft] = {}
        self.problems: list[Problem] = []
        self.counts: dict[str, FileCounts] = {}

    def read(self, name: str, data: bytes) -> None:
        """Read one file into the drafts; an unknown or unreadable file is a Problem."""
        match = FILE_NAME.fullmatch(name)
        reader = _reader_for(match["stem"]) if match else None
        if match is None or reader is None:
            self.problems.append(Problem(name, 0, "", "not an ESCO file name this importer knows"))
            return
        table = self._table(name, data, match["stem"])
        if table is not None:
            drafts = reader(self, table, match["stem"], match["language"])
            self.counts[name] = _counts(len(table.rows), drafts)

    def _table(self, name: str, data: bytes, stem: str) -> CsvTable | None:
        try:
            table = read_csv(name, data, normalise_headers=False)
        except UnreadableFile as error:
            self.problems.append(error.problem)
            return None
        except csv.Error as error:
            self.problems.append(Problem(name, 0, "", f"not a readable CSV file: {error}"))
            return None
        required = {"Level 0 URI"} if stem == "skillsHierarchy" else CONCEPT_COLUMNS
        missing = table.missing_columns(required)
        self.problems += missing
        return None if missing else table

    def concept_rows(self, table: CsvTable) -> Iterator[tuple[int, dict[str, str]]]:
        """Rows with a concept URI and a preferred label; the others become Problems."""
        for row in table.rows:
            missing = next((c for c in sorted(CONCEPT_COLUMNS) if not row.values[c]), None)
            if missing:
                self.problems.append(Problem(table.file, row.line, missing, "empty; row skipped"))
            else:
                yield row.line, row.values

    def draft(self, into: dict[str, _Draft], uri: str, kind: str, seen: tuple[str, int]) -> _Draft:
        """The draft of a concept, created on first sight; being a group wins over a skill."""
        draft = into.setdefault(uri, _Draft(kind, seen))
        draft.kind = "group" if "group" in (kind, draft.kind) else draft.kind
        return draft

    def read_skills(self, table: CsvTable, stem: str, language: str) -> list[_Draft]:
        category = COLLECTION_CATEGORIES.get(stem, Category.OTHER)
        kind = "group" if stem == "skillGroups" else "competence"
        drafts: dict[str, _Draft] = {}
        for line, values in self.concept_rows(table):
            uri = values["conceptUri"]
            drafts[uri] = draft = self.draft(self.concepts, uri, kind, (table.file, line))
            draft.add_texts(language, values)
            draft.add_category(category)
            draft.broader.update(split_multi(values.get("broaderConceptUri", "")))
        return list(drafts.values())

    def read_hierarchy(self, table: CsvTable, stem: str, language: str) -> list[_Draft]:
        drafts: dict[str, _Draft] = {}
        for row in table.rows:
            path = self.hierarchy_path(table.file, row.line, row.values, language)
            drafts.update((uri, self.concepts[uri]) for uri in path)
            description = row.values.get("Description")
            if path and description:  # it describes the row's deepest level
                self.concepts[path[-1]].descriptions.setdefault(
                    HIERARCHY_TEXT_LANGUAGE, description
                )
        return list(drafts.values())

    def hierarchy_path(
        self, file: str, line: int, values: dict[str, str], language: str
    ) -> list[str]:
        """URIs from level 0 to the row's deepest level, each linked to the one above."""
        levels = [i for i in HIERARCHY_LEVELS if values.get(f"Level {i} URI")]
        path = [values[f"Level {i} URI"] for i in levels]
        if not path:
            self.problems.append(Problem(file, line, "Level 0 URI", "no level URI in the row"))
        for level, uri, parent in zip(levels, path, [None, *path], strict=False):
            draft = self.draft(self.concepts, uri, "group", (file, line))
            draft.broader.update([parent] if parent else [])
            label = values.get(f"Level {level} preferred term")
            if label:
                draft.labels.setdefault(language, label)
            else:
                column = f"Level {level} preferred term"
                self.problems.append(Problem(file, line, column, "empty"))
        return path

    def read_occupations(self, table: CsvTable, stem: str, language: str) -> list[_Draft]:
        kind = "occupation" if stem == "occupations" else "isco_group"
        drafts: dict[str, _Draft] = {}
        for line, values in self.concept_rows(table):
            uri = values["conceptUri"]
            drafts[uri] = draft = self.draft(self.occupations, uri, kind, (table.file, line))
            draft.add_texts(language, values)
            draft.code = draft.code or values.get("code", "")
            draft.isco_group = draft.isco_group or values.get("iscoGroup", "")
        return list(drafts.values())

    def result(self) -> EscoImport:
        competences = sorted(self._competences(), key=lambda c: c.competence_id)
        unresolved = [uri for c in competences for uri in c.unresolved_parents]
        occupations = [
            self._occupation(uri, draft)
            for uri, draft in sorted(self.occupations.items())
            if self._has_german_label(draft)
        ]
        report = EscoReport(
            files=dict(sorted(self.counts.items())),
            total_competences=sum(c.kind == "competence" for c in competences),
            total_groups=sum(c.kind == "group" for c in competences),
            total_occupations=len(occupations),
            distinct_unresolved_uris=len(set(unresolved)),
            unresolved_links=len(unresolved),
            problems=sorted(self.problems, key=lambda p: (p.file, p.line, p.column, p.reason)),
        )
        return EscoImport(competences, occupations, report)

    def _competences(self) -> Iterator[Competence]:
        ids = {
            uri: esco_competence_id(uri)
            for uri, draft in sorted(self.concepts.items())
            if self._has_german_label(draft)
        }
        for uri, competence_id in ids.items():
            draft = self.concepts[uri]
            yield Competence(
                competence_id=competence_id,
                source="esco",
                kind="group" if draft.kind == "group" else "competence",
                **draft.texts(),
                category=draft.category,
                esco_uri=uri,
                parent_ids=sorted(ids[b] for b in draft.broader if b in ids and b != uri),
                unresolved_parents=sorted(b for b in draft.broader if b not in ids),
            )

    def _occupation(self, uri: str, draft: _Draft) -> EscoOccupation:
        return EscoOccupation(
            uri=uri,
            kind="occupation" if draft.kind == "occupation" else "isco_group",
            code=draft.code or None,
            isco_group=draft.isco_group or None,
            **draft.texts(),
        )

    def _has_german_label(self, draft: _Draft) -> bool:
        if "de" not in draft.labels:
            file, line = draft.first_seen
            self.problems.append(Problem(file, line, "preferredLabel", "no German label; skipped"))
        return "de" in draft.labels


_Reader = Callable[[_Importer, CsvTable, str, str], list[_Draft]]


def _reader_for(stem: str) -> _Reader | None:
    """Which reader handles a file, by the name the EU gives it."""
    if stem in ("skills", "skillGroups") or stem.endswith("SkillsCollection"):
        return _Importer.read_skills
    if stem in ("occupations", "ISCOGroups"):
        return _Importer.read_occupations
    return _Importer.read_hierarchy if stem == "skillsHierarchy" else None


def _counts(rows_read: int, drafts: list[_Draft]) -> FileCounts:
    kinds = [d.kind for d in drafts]
    occupations = kinds.count("occupation") + kinds.count("isco_group")
    return FileCounts(rows_read, kinds.count("competence"), kinds.count("group"), occupations)


def _by_language(texts: dict[str, Any]) -> dict[str, Any]:
    """The non-empty entries, ordered by language, so that equal imports serialise equally."""
    return dict(sorted((language, text) for language, text in texts.items() if text))
