"""Bulk writing for the scaled demo (`hms-tracker demo --scale …`): rows as plain dicts,
written in batches with the driver's fastest path, and the audit events written beside
them instead of by the session listener.

- SQLite: `executemany` of one INSERT per batch on the driver's cursor, with the values
  stored exactly as SQLAlchemy stores them (UTC timestamps as
  `YYYY-MM-DD HH:MM:SS.ffffff`, dates as ISO text, numerics as floats, JSON as text).
- PostgreSQL: `COPY … FROM STDIN` through psycopg, then every id sequence set past the
  ids written.

Ids are given here, not by the database (the next free id of each table, read first), so
a row's children and its audit events can name it before anything is written. Rows wait
in per-table buffers; `maybe_flush()` (called by the builders between whole records)
writes every buffer in the order of the foreign keys, so a child never reaches the
database before its parent. Everything runs in the caller's transaction.

The audit events (`Audit`) are the ones the session listener would have written for the
same steps (audit/service.py): a `create` with the whole row (redacted columns as
"***"), an `update` with the changed columns before and after, each at the step's own
time and with the demo's actor label.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pydantic_core import PydanticUndefined
from sqlmodel import SQLModel

import hms_tracker.models  # noqa: F401  (every table in the metadata)

BATCH = 10_000
JSON_NULL = "null"  # what SQLAlchemy's JSON type stores for None (none_as_null=False)

Row = dict[str, Any]


def _models() -> dict[str, type[SQLModel]]:
    found: dict[str, type[SQLModel]] = {}
    todo = list(SQLModel.__subclasses__())
    while todo:
        model = todo.pop()
        todo.extend(model.__subclasses__())
        table = getattr(model, "__table__", None)
        if isinstance(table, sa.Table):
            found[table.name] = model
    return found


def _defaults(model: type[SQLModel], table: sa.Table) -> Row:
    """The model's plain Python defaults (version=1, status='draft', …): the database has
    no server defaults, so a row written here must carry them."""
    values: Row = {}
    for column in table.columns:
        field = model.model_fields.get(column.name)
        default = getattr(field, "default", None) if field is not None else None
        if default is not None and default is not PydanticUndefined and not callable(default):
            values[column.name] = default
    return values


def _kind(column: sa.Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.DateTime):
        return "datetime"
    if isinstance(kind, sa.Date):
        return "date"
    if isinstance(kind, sa.Numeric):
        return "numeric"
    if isinstance(kind, sa.JSON):
        return "json"
    return "plain"


def _sqlite_datetime(value: datetime) -> str:
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def jsonable(value: Any) -> Any:
    """A column value as the audit listener puts it in a snapshot (audit.service._jsonable)."""
    kind = type(value)
    if kind is datetime:
        return value.isoformat()
    if kind is date:
        return value.isoformat()
    if kind is Decimal:
        return str(value)
    return value


class Table:
    """One table's buffer: its columns, defaults, next id and the rows waiting."""

    def __init__(self, table: sa.Table, model: type[SQLModel] | None) -> None:
        self.table = table
        self.name = table.name
        self.columns = [c.name for c in table.columns]
        self.kinds = [_kind(c) for c in table.columns]
        self.defaults = _defaults(model, table) if model is not None else {}
        self.redact: frozenset[str] = getattr(model, "__audit_redact__", frozenset())
        self.has_id = "id" in table.c and isinstance(table.c.id.type, sa.Integer)
        self.next_id = 1
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def new(self, values: Row) -> Row:
        """A full row: the defaults, then `values`, and the next id when the table has one."""
        row = dict(self.defaults)
        row.update(values)
        if self.has_id and "id" not in values:
            row["id"] = self.next_id
            self.next_id += 1
        return row

    def add(self, row: Row) -> None:
        get = row.get
        self.rows.append(tuple(get(c) for c in self.columns))

    def snapshot(self, row: Row) -> Row:
        redact = self.redact
        return {
            c: ("***" if c in redact and row.get(c) is not None else jsonable(row.get(c)))
            for c in self.columns
        }


class Sink:
    """Where batches go: nowhere (a dry run, for measuring), SQLite or PostgreSQL."""

    def write(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        pass

    def finish(self, tables: Iterable[Table]) -> None:
        pass


class SqliteSink(Sink):
    def __init__(self, dbapi_connection: Any) -> None:
        self.cursor = dbapi_connection.cursor()
        self.statements: dict[str, str] = {}
        self.converters: dict[str, Callable[[tuple[Any, ...]], tuple[Any, ...]]] = {}

    def _converter(self, table: Table) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
        steps: list[tuple[int, Callable[[Any], Any]]] = []
        for index, kind in enumerate(table.kinds):
            if kind == "datetime":
                steps.append((index, _sqlite_datetime))
            elif kind == "date":
                steps.append((index, date.isoformat))
            elif kind == "numeric":
                steps.append((index, float))

        def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
            values = list(row)
            for index, function in steps:
                value = values[index]
                if value is not None:
                    values[index] = function(value)
            return tuple(values)

        return convert

    def write(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        if table.name not in self.statements:
            marks = ", ".join("?" for _ in table.columns)
            self.statements[table.name] = (
                f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES ({marks})"
            )
            self.converters[table.name] = self._converter(table)
        convert = self.converters[table.name]
        self.cursor.executemany(self.statements[table.name], [convert(r) for r in rows])


class PostgresSink(Sink):
    def __init__(self, dbapi_connection: Any) -> None:
        self.connection = dbapi_connection
        self.cursor = dbapi_connection.cursor()

    def write(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        statement = f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN"
        with self.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def finish(self, tables: Iterable[Table]) -> None:
        """Each id sequence past the highest id written (ids were given here)."""
        for table in tables:
            if table.has_id and table.count:
                self.cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                    (table.name, table.next_id - 1),
                )


class BulkWriter:
    """Buffers for every table, written in foreign-key order by `flush()`."""

    def __init__(self, sink: Sink, *, batch: int = BATCH) -> None:
        self.sink = sink
        self.batch = batch
        models = _models()
        self.order = [t.name for t in SQLModel.metadata.sorted_tables]
        self.tables = {
            t.name: Table(t, models.get(t.name)) for t in SQLModel.metadata.sorted_tables
        }
        self.waiting = 0

    def start_ids(self, connection: sa.Connection | None) -> None:
        """Start each table's ids after the highest id it already has (the migrations seed
        the course types)."""
        if connection is None:
            return
        for table in self.tables.values():
            if table.has_id:
                highest = connection.execute(sa.select(sa.func.max(table.table.c.id))).scalar()
                table.next_id = (highest or 0) + 1

    def new(self, table: str, /, **values: Any) -> Row:
        return self.tables[table].new(values)

    def add(self, name: str, row: Row) -> None:
        self.tables[name].add(row)
        self.waiting += 1

    def add_tuple(self, name: str, values: tuple[Any, ...]) -> None:
        self.tables[name].rows.append(values)
        self.waiting += 1

    def maybe_flush(self) -> None:
        if self.waiting >= self.batch:
            self.flush()

    def flush(self) -> None:
        for name in self.order:
            table = self.tables[name]
            if table.rows:
                self.sink.write(table, table.rows)
                table.count += len(table.rows)
                table.rows = []
        self.waiting = 0

    def finish(self) -> None:
        self.flush()
        self.sink.finish(self.tables.values())

    def count(self, name: str) -> int:
        table = self.tables[name]
        return table.count + len(table.rows)


class Audit:
    """The audit events of the bulk rows, written as the listener would have written them.

    `actor` is a person id (or None for the demo itself); the account of a person who has
    one is filled in from `user_of`."""

    def __init__(self, writer: BulkWriter, *, label: str) -> None:
        self.writer = writer
        self.label = label
        self.user_of: dict[int, int] = {}
        self.table = writer.tables["audit_event"]
        self.index = {c: i for i, c in enumerate(self.table.columns)}
        self.width = len(self.table.columns)

    def _event(
        self,
        at: datetime,
        actor: int | None,
        entity: str,
        entity_id: Any,
        action: str,
        subject: int | None,
        before: str,
        after: str,
    ) -> None:
        values: list[Any] = [None] * self.width
        index = self.index
        values[index["id"]] = self.table.next_id
        self.table.next_id += 1
        values[index["occurred_at"]] = at
        values[index["actor_user_id"]] = self.user_of.get(actor) if actor else None
        values[index["actor_person_id"]] = actor
        values[index["actor_label"]] = self.label
        values[index["entity"]] = entity
        values[index["entity_id"]] = str(entity_id)
        values[index["action"]] = action
        values[index["subject_person_id"]] = subject
        values[index["before"]] = before
        values[index["after"]] = after
        self.writer.add_tuple("audit_event", tuple(values))

    def _subject(self, name: str, row: Row) -> int | None:
        return row.get("id") if name == "person" else row.get("person_id")

    def _key(self, name: str, row: Row) -> Any:
        return row["id"] if "id" in row else row.get("key")

    def created(self, name: str, row: Row, at: datetime, actor: int | None = None) -> None:
        table = self.writer.tables[name]
        self._event(
            at,
            actor,
            name,
            self._key(name, row),
            "create",
            self._subject(name, row),
            JSON_NULL,
            json.dumps(table.snapshot(row)),
        )

    def updated(
        self,
        name: str,
        row: Row,
        at: datetime,
        actor: int | None,
        changes: Row,
        *,
        action: str = "update",
        bump: bool = True,
    ) -> None:
        """Apply `changes` to `row` (and the edit version, for a step that claims it) and
        record the columns that changed."""
        if bump and "version" in row:
            changes = dict(changes, version=row["version"] + 1)
        redact = self.writer.tables[name].redact
        before: Row = {}
        after: Row = {}
        for key, value in changes.items():
            old = row.get(key)
            if old == value and type(old) is type(value):
                continue
            hidden = key in redact
            before[key] = "***" if hidden and old is not None else jsonable(old)
            after[key] = "***" if hidden and value is not None else jsonable(value)
            row[key] = value
        if not after:
            return
        self._event(
            at,
            actor,
            name,
            self._key(name, row),
            action,
            self._subject(name, row),
            json.dumps(before),
            json.dumps(after),
        )

    def deleted(self, name: str, row: Row, at: datetime, actor: int | None = None) -> None:
        table = self.writer.tables[name]
        self._event(
            at,
            actor,
            name,
            self._key(name, row),
            "delete",
            self._subject(name, row),
            json.dumps(table.snapshot(row)),
            "{}",
        )
