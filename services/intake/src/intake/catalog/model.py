"""The competence catalog: company competences and ESCO concepts in one model."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gegenstrom_runtime.csv_files import Problem

ESCO_ID_PREFIX = "esco:"


class Category(StrEnum):
    """What kind of ability a competence is; drives which learning offers fit."""

    TOOL = "tool"  # IT and tools, e.g. an SAP module or Excel functions
    METHOD = "method"  # methods such as project management
    SOCIAL = "social"  # conversation, cooperation, conflict resolution
    PROCESS = "process"  # knowledge of the company's processes
    LANGUAGE = "language"
    OTHER = "other"


PROFICIENCY_SCALE: dict[int, dict[str, str]] = {
    0: {
        "de": "keine Kenntnisse: hat damit noch nicht gearbeitet",
        "en": "none: has not worked with it yet",
    },
    1: {
        "de": "Grundkenntnisse: kennt die Grundbegriffe und erledigt einfache Aufgaben "
        "unter Anleitung",
        "en": "basic: knows the basic concepts and does simple tasks under guidance",
    },
    2: {
        "de": "selbstständige Anwendung: erledigt die üblichen Aufgaben allein und sicher",
        "en": "independent: does the usual tasks alone and reliably",
    },
    3: {
        "de": "fortgeschritten: löst auch Sonderfälle und unbekannte Probleme und kennt "
        "die Zusammenhänge",
        "en": "advanced: also solves special cases and unfamiliar problems and knows how "
        "things fit together",
    },
    4: {
        "de": "Expertin/Experte: kann andere anleiten, Fragen Dritter beantworten und das "
        "Vorgehen weiterentwickeln",
        "en": "expert: can guide others, answer their questions and improve how the work is done",
    },
}


class Competence(BaseModel):
    """One entry of the catalog: a competence or a group of competences."""

    model_config = ConfigDict(frozen=True)

    competence_id: str = Field(min_length=1)  # company slug, or "esco:" + last URI segment
    source: Literal["company", "esco"]
    kind: Literal["competence", "group"] = "competence"
    labels: dict[str, str]  # language -> preferred label
    alt_labels: dict[str, list[str]] = Field(default_factory=dict)
    descriptions: dict[str, str] = Field(default_factory=dict)
    category: Category = Category.OTHER
    esco_uri: str | None = None
    parent_ids: list[str] = Field(default_factory=list)  # broader concepts in the catalog
    unresolved_parents: list[str] = Field(default_factory=list)  # broader URIs outside it

    @field_validator("labels")
    @classmethod
    def _german_label_present(cls, labels: dict[str, str]) -> dict[str, str]:
        if not labels.get("de", "").strip():
            raise ValueError("a German label ('de') is required")
        return labels

    @model_validator(mode="after")
    def _id_matches_source(self) -> "Competence":
        is_esco_id = self.competence_id.startswith(ESCO_ID_PREFIX)
        if (self.source == "esco") != is_esco_id:
            raise ValueError(f"only ESCO competences have ids starting with '{ESCO_ID_PREFIX}'")
        if self.source == "esco" and not self.esco_uri:
            raise ValueError("an ESCO competence needs its esco_uri")
        return self


class EscoOccupation(BaseModel):
    """An ESCO occupation or ISCO-08 group; kept apart from the competences."""

    model_config = ConfigDict(frozen=True)

    uri: str
    kind: Literal["occupation", "isco_group"]
    code: str | None  # ESCO code of an occupation ("2654.1.7") or the ISCO code ("021")
    isco_group: str | None  # ISCO code an occupation belongs to; None for ISCO groups
    labels: dict[str, str]
    alt_labels: dict[str, list[str]] = Field(default_factory=dict)
    descriptions: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class FileCounts:
    """What one ESCO file contributed."""

    rows_read: int
    competences: int  # distinct concepts of kind "competence" the file describes
    groups: int
    occupations: int  # occupations and ISCO groups


@dataclass(frozen=True)
class EscoReport:
    """Counts and problems of one ESCO import."""

    files: dict[str, FileCounts]  # file name -> counts, for every file that could be read
    total_competences: int
    total_groups: int
    total_occupations: int
    distinct_unresolved_uris: int  # broader URIs outside the import, each counted once
    unresolved_links: int  # (concept, broader URI) pairs pointing outside the import
    problems: list[Problem]


@dataclass(frozen=True)
class EscoImport:
    """The result of an ESCO import: catalog entries, occupations and the report."""

    competences: list[Competence]  # sorted by competence_id
    occupations: list[EscoOccupation]  # sorted by URI
    report: EscoReport


def esco_competence_id(uri: str) -> str:
    """'esco:' + the last path segment of an ESCO concept URI."""
    return ESCO_ID_PREFIX + uri.rstrip("/").rsplit("/", 1)[-1]
