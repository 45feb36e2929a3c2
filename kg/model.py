"""Structured plan data: the contract between reading documents and everything after it.

A reviewed or hand-corrected JSON file loads exactly like a freshly extracted one. Every fact
carries :class:`Evidence` back to the character span of the source text it was read from.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = "1.0"

# C0 and C1 control characters and DEL: a key or a name holding one becomes an IRI that N-Triples cannot carry, and a
# terminal acts on it instead of showing it
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")
NO_CONTROL_CHARACTER = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"  # the same, as a JSON Schema pattern


def _one_line(value: str) -> str:
    if m := CONTROL_CHARACTER.search(value):
        raise ValueError(f"holds a control character (U+{ord(m.group()):04X}); keys and names are one line of text")
    return value


# a key, id, name or file name: any text but control characters
Name = Annotated[str, AfterValidator(_one_line), Field(json_schema_extra={"pattern": NO_CONTROL_CHARACTER})]


class Record(BaseModel):
    """Base for all records: unknown keys are errors, so typos in hand-edited files are caught."""

    model_config = ConfigDict(extra="forbid")


class Evidence(Record):
    """Where a fact was read: file, character span in the decoded source text, sentence, outline path."""

    source: Name = Field(description="file name of the source document")
    start: int = Field(ge=0, description="start character offset in the decoded source text")
    end: int = Field(ge=0, description="end character offset (exclusive) in the decoded source text")
    sentence: str = Field(description="the quoted sentence (or table row) the fact comes from")
    path: list[str] = Field(default_factory=list, description="outline path, outermost first")

    @model_validator(mode="after")
    def _ordered(self) -> Evidence:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


class SourceInfo(Record):
    file: Name
    sha256: str
    format: Literal["txt", "html", "docx", "pdf"]
    encoding: str | None = None
    chars: int = Field(ge=0, description="length of the decoded source text")


class RegionRef(Record):
    """A region by its GB/T 2260 code and official name, with its ancestors (outermost first)."""

    code: str = Field(pattern=r"^\d{6}$")
    name: Name
    level: Literal["province", "city", "county"]
    parents: list[RegionRef] = Field(default_factory=list)


class CitedPlan(Record):
    """A higher-level document this plan implements or is drawn up according to."""

    title: Name
    key: Name | None = Field(default=None, description="canonical id of the cited document, decided by kg.resolve "
                                                      "(quotes, bracketed years and short region names folded)")
    doc_number: str | None = None
    evidence: Evidence


class PlanMeta(Record):
    key: Name = Field(description="canonical key; the plan's IRI is minted from it")
    title: Name | None = None
    doc_number: str | None = None
    issuer: Name | None = None
    issue_date: date | None = None
    region: RegionRef | None = None
    period: tuple[int, int] | None = None
    implements: list[CitedPlan] = Field(default_factory=list)
    issuer_body: Department | None = Field(default=None, description="the issuer as a region-qualified body, "
                                           "decided by kg.resolve")
    evidence: dict[Name, Evidence] = Field(default_factory=dict, description="evidence per metadata field",
                                           json_schema_extra={"propertyNames": {"pattern": NO_CONTROL_CHARACTER}})


class OutlineNode(Record):
    id: Name = Field(description="position in the outline, e.g. 3.2.1")
    kind: Literal["chapter", "section", "item", "subitem", "point", "box", "annex", "runin", "title"]
    label: str = Field(description="the numbering as printed, e.g. 第三章, （一）, 专栏2")
    title: str
    start: int
    end: int
    path: list[str]


class TableCell(Record):
    text: str
    start: int
    end: int


class Table(Record):
    id: Name
    layout: Literal["tabs", "cell-per-line"]
    header: list[TableCell]
    rows: list[list[TableCell]]
    start: int
    end: int
    path: list[str]


class Indicator(Record):
    name: Name = Field(description="the measured quantity as printed, without the number")
    concept: Name = Field(description="indicator concept comparable across plans")
    unit: Name | None = None
    baseline: float | None = None
    baseline_year: int | None = None
    target: float | None = None
    target_year: int | None = None
    nature: Literal["预期性", "约束性"] | None = None
    evidence: Evidence


FunctionType = Literal[
    "ip_market_regulation", "court", "procuratorate", "public_security", "publicity",
    "development_reform", "finance", "science_technology", "industry_it", "commerce",
    "culture_tourism", "agriculture", "education", "justice", "statistics", "financial_regulation",
    "state_assets", "forestry", "ecology", "water", "rural_revitalization", "health", "customs",
    "human_resources", "legal_affairs", "coordination_body", "government", "management_committee",
    "mediation", "association", "party", "other",
]


class Department(Record):
    key: Name = Field(description="canonical id: region code + region-qualified name")
    name: Name = Field(description="fullest form the document uses")
    aliases: list[Name] = Field(default_factory=list)
    qualified_name: Name = Field(description="name qualified by the region whose government it belongs to")
    function_type: FunctionType
    region: RegionRef | None = None
    inferred: bool = Field(default=False, description="not named in the document; a default owner placeholder")
    evidence: list[Evidence] = Field(min_length=1)


class Organization(Record):
    name: Name
    kind: Literal["company", "university", "research", "service", "association", "other"]
    evidence: list[Evidence] = Field(min_length=1)


class IndustryMention(Record):
    name: Name = Field(description="as printed")
    concept: Name | None = Field(default=None, description="taxonomy concept id, if known")
    broader: list[Name] = Field(default_factory=list, description="broader concepts, nearest first")
    evidence: list[Evidence] = Field(min_length=1)


class NamedMention(Record):
    """A brand or a geographical indication."""

    name: Name
    evidence: list[Evidence] = Field(min_length=1)


class IPTypeMention(Record):
    concept: Name = Field(description="patent, trademark, copyright, geographical_indication, ...")
    name: Name
    evidence: list[Evidence] = Field(min_length=1)


class Task(Record):
    id: Name = Field(description="unique within the plan")
    title: str
    text: str
    path: list[str]
    parent: Name | None = None
    industries: list[Name] = Field(default_factory=list, description="industry names the task text names")
    ip_types: list[Name] = Field(default_factory=list, description="IP type concepts the task text names")
    evidence: Evidence
    source_runs: list[tuple[int, int, int]] = Field(
        default_factory=list, description="where the task's text lies in the decoded source text: (position in text, "
        "source offset, length) for each run that maps one character to one (cleaning removes characters and table "
        "cells are joined, so a span of the text is found in the source through these)")


class Responsibility(Record):
    task: Name = Field(description="Task.id")
    department: Name = Field(description="Department.key")
    role: Literal["lead", "co"] = "co"
    explicit: bool = True
    reason: str | None = Field(default=None, description="why an owner was inferred (explicit=false)")
    evidence: Evidence

    @model_validator(mode="after")
    def _inferred_has_reason(self) -> Responsibility:
        if not self.explicit and not self.reason:
            raise ValueError("an inferred responsibility (explicit=false) needs a reason")
        return self


class Diagnostic(Record):
    """Something a reviewer should check: a responsibility marker that produced no responsibility, a skipped row."""

    kind: Literal["marker-without-body", "marker-outside-task", "marker-unread", "table-row-skipped"]
    line: int = Field(ge=1, description="1-based line in the decoded source text")
    text: str = Field(description="the text in question (cut to 120 characters)")
    message: str


class PlanData(Record):
    """Everything extracted from one plan document."""

    schema_version: str = SCHEMA_VERSION
    source: SourceInfo
    plan: PlanMeta
    outline: list[OutlineNode] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    departments: list[Department] = Field(default_factory=list)
    organizations: list[Organization] = Field(default_factory=list)
    industries: list[IndustryMention] = Field(default_factory=list)
    brands: list[NamedMention] = Field(default_factory=list)
    geographical_indications: list[NamedMention] = Field(default_factory=list)
    ip_types: list[IPTypeMention] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    responsibilities: list[Responsibility] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    diagnostics: list[Diagnostic] = Field(default_factory=list, description="what a reviewer should check")

    @model_validator(mode="after")
    def _references_resolve(self) -> PlanData:
        tasks = {t.id for t in self.tasks}
        depts = {d.key for d in self.departments}
        for i, r in enumerate(self.responsibilities):
            if r.task not in tasks:
                raise ValueError(f"responsibilities[{i}].task {r.task!r} names no task")
            if r.department not in depts:
                raise ValueError(f"responsibilities[{i}].department {r.department!r} names no department")
        named = {i.name for i in self.industries}
        for t in self.tasks:
            if t.parent is not None and t.parent not in tasks:
                raise ValueError(f"task {t.id!r} has unknown parent {t.parent!r}")
            for name in t.industries:
                if name not in named:
                    raise ValueError(f"task {t.id!r} names industry {name!r}, which is not in industries")
        return self


# --- corpus-level facts: what one plan took from another (decided by kg.reuse over the whole corpus) ---


class ReuseSide(Record):
    """One side of a reuse: the plan, the task (when the text lies in one) and the quoted span."""

    plan: Name = Field(description="PlanMeta.key")
    task: Name | None = Field(default=None, description="Task.id, when the sentence lies in a task")
    evidence: Evidence = Field(description="the matched sentence (or clause) in this plan")


class TaskReuse(Record):
    """A task's text taken from another plan's task: ``target`` reused ``source``'s text.

    When nothing tells which came first (``directed`` false), source and target are ordered by plan key.
    """

    source: ReuseSide
    target: ReuseSide
    directed: bool
    reason: Literal["implements", "issue_date", "period"] | None = Field(
        default=None, description="what decided the direction: the target IMPLEMENTS the source, or it is later")
    similarity: float = Field(ge=0, le=1, description="similarity of the best matched sentence pair")
    share: float = Field(ge=0, le=1, description="share of the target task's text found in the source")
    sentences: int = Field(ge=1, description="matched sentence pairs between the two tasks")


class PlanReuse(Record):
    """Plan-level reuse: the share of ``target``'s text found in ``source`` and the tasks involved."""

    source: Name = Field(description="PlanMeta.key of the plan text was taken from")
    target: Name = Field(description="PlanMeta.key of the plan that took it")
    directed: bool
    reason: Literal["implements", "issue_date", "period"] | None = None
    share: float = Field(ge=0, le=1, description="share of the target plan's text found in the source")
    sentences: int = Field(ge=1, description="matched sentence pairs")
    tasks: int = Field(ge=0, description="task-level reuses between the two plans")
    source_evidence: Evidence = Field(description="the strongest matched sentence in the source")
    target_evidence: Evidence = Field(description="its counterpart in the target")


class ReuseReport(Record):
    """Every reuse found in a corpus; written as reuse.json beside the graph by `ipkg build`."""

    schema_version: str = SCHEMA_VERSION
    tasks: list[TaskReuse] = Field(default_factory=list)
    plans: list[PlanReuse] = Field(default_factory=list)
