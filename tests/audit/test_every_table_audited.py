"""Auditing is opt-in per table, so a new table is checked here: every table is audited
(`__audited__ = True`) or listed in `audit.registry.AUDIT_EXEMPT` with its reason."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlmodel import SQLModel

import hms_tracker.models  # noqa: F401  (every table class, so the metadata is complete)
from hms_tracker.audit.registry import AUDIT_EXEMPT


def _classes_by_table() -> dict[str, list[type]]:
    classes: dict[str, list[type]] = {}
    for mapper in SQLModel._sa_registry.mappers:
        table = mapper.local_table
        if isinstance(table, sa.Table):
            classes.setdefault(table.name, []).append(mapper.class_)
    return classes


def _audited(classes: list[type]) -> bool:
    return any(getattr(cls, "__audited__", False) for cls in classes)


def _unaccounted(tables: list[str], exempt: Mapping[str, str]) -> list[str]:
    """The tables that are neither audited nor exempt (a table with no model is not audited)."""
    classes = _classes_by_table()
    return [t for t in tables if not _audited(classes.get(t, [])) and t not in exempt]


def test_every_table_is_audited_or_exempt_with_a_reason() -> None:
    tables = sorted(SQLModel.metadata.tables)
    assert {"person", "audit_event", "login_throttle", "certificate"} <= set(tables)
    missing = _unaccounted(tables, AUDIT_EXEMPT)
    assert not missing, (
        f"Tables neither audited nor exempt: {missing}. Mark the model `__audited__ = True` "
        "(with `__audit_redact__` for secrets and file contents), or add the table with its "
        "reason to AUDIT_EXEMPT in src/hms_tracker/audit/registry.py."
    )


def test_the_check_notices_a_table_that_is_neither() -> None:
    """The check above can fail: without its exemption, login_throttle is reported."""
    tables = sorted(SQLModel.metadata.tables)
    exempt = {k: v for k, v in AUDIT_EXEMPT.items() if k != "login_throttle"}
    assert _unaccounted(tables, exempt) == ["login_throttle"]
    assert _unaccounted(tables + ["made_up_table"], AUDIT_EXEMPT) == ["made_up_table"]


def test_every_exemption_names_an_unaudited_table_and_says_why() -> None:
    classes = _classes_by_table()
    for table, reason in AUDIT_EXEMPT.items():
        assert table in SQLModel.metadata.tables, f"AUDIT_EXEMPT names no table: {table}"
        assert not _audited(classes.get(table, [])), f"{table} is audited and exempt"
        assert len(reason.split()) >= 5, f"AUDIT_EXEMPT[{table!r}] needs a reason"


def test_audited_file_contents_are_redacted_and_redactions_name_columns() -> None:
    """Bytes cannot go into the trail's JSON (the flush would fail) and a file's contents do
    not belong there; a misspelt redaction would hide nothing."""
    for mapper in SQLModel._sa_registry.mappers:
        cls = mapper.class_
        if not getattr(cls, "__audited__", False):
            continue
        redact = getattr(cls, "__audit_redact__", frozenset())
        keys = {attr.key for attr in mapper.column_attrs}
        assert redact <= keys, f"{cls.__name__}.__audit_redact__ names no column: {redact - keys}"
        for attr in mapper.column_attrs:
            if isinstance(attr.columns[0].type, sa.LargeBinary):
                assert attr.key in redact, f"{cls.__name__}.{attr.key} is stored in the trail"
