"""Forms of the routine pages, and the labels they show.

The rules that need the database (the owner exists, departments are open, a draft exists)
are checked in service.py; these models only parse what was typed."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hms_tracker.routines.models import DEFAULT_REVIEW_MONTHS, ReviewOutcome, VersionStatus
from hms_tracker.web.forms import date_value, field_error, id_list, plain_text
from hms_tracker.web.i18n import _, lazy

MAX_TAGS = 20
MAX_TAG_LENGTH = 50
_TAG = re.compile(r"^[\w-]+$")

VERSION_STATUS_LABELS: dict[str, tuple[str, str]] = {
    VersionStatus.draft.value: (lazy("Utkast"), "info"),
    VersionStatus.published.value: (lazy("Gjeldende"), "success"),
    VersionStatus.archived.value: (lazy("Arkivert"), "neutral"),
    VersionStatus.discarded.value: (lazy("Forkastet"), "neutral"),
}
# The routine as a whole, for the list and its filter.
ROUTINE_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "draft": (lazy("Ikke publisert"), "info"),
    "published": (lazy("Publisert"), "success"),
    "archived": (lazy("Arkivert"), "neutral"),
}
OUTCOME_LABELS: dict[str, str] = {
    ReviewOutcome.no_change.value: lazy("Gjennomgått uten endring"),
    ReviewOutcome.new_version.value: lazy("Gjennomgått, ny versjon trengs eller er laget"),
}


def version_status_tag(status: str) -> tuple[str, str]:
    label, colour = VERSION_STATUS_LABELS.get(status, (status, "neutral"))
    return _(label), colour


def routine_status_tag(status: str) -> tuple[str, str]:
    label, colour = ROUTINE_STATUS_LABELS.get(status, (status, "neutral"))
    return _(label), colour


def routine_status_options() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, (label, _colour) in ROUTINE_STATUS_LABELS.items()]


def outcome_label(outcome: str) -> str:
    return _(OUTCOME_LABELS[outcome]) if outcome in OUTCOME_LABELS else outcome


def outcome_options() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, label in OUTCOME_LABELS.items()]


def parse_tags(value: Any) -> list[str]:
    """Free tags, separated by commas or spaces, kept lowercase and unique, in order."""
    if value is None:
        return []
    items = value if isinstance(value, list) else re.split(r"[,\s]+", str(value))
    tags: list[str] = []
    for item in items:
        tag = unicodedata.normalize("NFC", str(item)).strip().lstrip("#").lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise field_error(_("Et stikkord kan være høyst %(max)s tegn.", max=MAX_TAG_LENGTH))
        if not _TAG.match(tag):
            raise field_error(
                _("Stikkord kan bare ha bokstaver, tall og bindestrek (for eksempel «varsling»).")
            )
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise field_error(_("Høyst %(max)s stikkord.", max=MAX_TAGS))
    return tags


def multiline_text(value: Any) -> Any:
    """Like plain_text, but line breaks and tabs are allowed (Markdown needs them)."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        if any(
            (ord(ch) < 32 and ch not in "\n\t")
            or ord(ch) == 0x7F
            or unicodedata.category(ch) == "Cf"
            for ch in value
        ):
            raise field_error(_("Teksten inneholder ugyldige tegn."))
    return value


class TextForm(BaseModel):
    """What the owner may change: the text of the draft."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=200)
    purpose: str | None = Field(default=None, max_length=2000)
    body: str | None = Field(default=None, max_length=100_000)
    change_note: str | None = Field(default=None, max_length=1000)

    @field_validator("title", "change_note", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return plain_text(value)

    @field_validator("purpose", "body", mode="before")
    @classmethod
    def _multiline(cls, value: Any) -> Any:
        return multiline_text(value)


class RoutineForm(TextForm):
    """The coordinator's form: the text and what the routine is about (owner, scope, tags,
    review interval)."""

    owner_id: int | None = None
    scope: str = "company"  # "company" or "departments"
    department_ids: list[int] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    review_interval_months: int = Field(default=DEFAULT_REVIEW_MONTHS, ge=1, le=120)

    @field_validator("scope", mode="before")
    @classmethod
    def _scope(cls, value: Any) -> Any:
        if value in (None, ""):
            return "company"
        if value not in ("company", "departments"):
            raise field_error(_("Velg et av alternativene."))
        return value

    @field_validator("department_ids", mode="before")
    @classmethod
    def _departments(cls, value: Any) -> Any:
        return id_list(value)

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        return parse_tags(value)

    @property
    def whole_company(self) -> bool:
        return self.scope == "company"


class EditForm(BaseModel):
    """Every edit states the routine version (optimistic locking) it was opened on."""

    model_config = ConfigDict(extra="ignore")

    version: int


class ReviewForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reviewed_on: date
    outcome: ReviewOutcome
    note: str | None = Field(default=None, max_length=5000)

    @field_validator("reviewed_on", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)

    @field_validator("note", mode="before")
    @classmethod
    def _multiline(cls, value: Any) -> Any:
        return multiline_text(value)


class ArchiveForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: str = Field(min_length=1, max_length=500)

    @field_validator("reason", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return plain_text(value)


class AcknowledgeForm(BaseModel):
    """The version the reader saw: a newer one published meanwhile is not acknowledged."""

    model_config = ConfigDict(extra="ignore")

    version_number: int = Field(ge=1)
