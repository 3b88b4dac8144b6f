"""A list's filters, read from the address: one pydantic model per list.

Each field is parsed on its own; a value that is not one of the field's (an old bookmark,
a hand-edited address, a value from another language) falls back to the field's default,
so the list opens unfiltered on that field instead of answering with an error page. The
same model writes the filters back into links (`query_params`): the page links, the
sort links and the export keep what the user chose.

    class PeopleFilter(ListQuery):
        q: SearchText = ""
        department_id: OptionalId = Field(None, alias="department")
        status: str = "active"
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from hms_tracker.web.pagination import page_number
from hms_tracker.web.params import parse_id

MAX_SEARCH = 200


def _search_text(value: Any) -> str:
    """Printable text, at most 200 characters (a NUL is refused by PostgreSQL)."""
    text = "".join(ch for ch in str(value or "") if ch.isprintable() or ch == " ")
    return text.strip()[:MAX_SEARCH]


def contains_pattern(text: str) -> str:
    """A LIKE pattern (escape character "\\") for text anywhere, lower-cased: compare it
    with `func.lower(column).like(pattern, escape="\\")`."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "on", "yes")


SearchText = Annotated[str, BeforeValidator(_search_text)]
Flag = Annotated[bool, BeforeValidator(_flag)]
PageNumber = Annotated[int, BeforeValidator(page_number)]
OptionalId = Annotated[int | None, BeforeValidator(lambda v: parse_id(v if v else None))]


def one_of(*allowed: str) -> Any:
    """A text field that takes only these values (anything else: the default)."""

    def check(value: Any) -> str:
        if value not in allowed:
            raise ValueError("not one of the allowed values")
        return str(value)

    return BeforeValidator(check)


class ListQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    # Fields written into links even at their default value.
    always_in_links: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> Self:
        """From the query string; a field whose value is not valid takes its default."""
        values = {k: v for k, v in params.items() if isinstance(v, str)}
        for _attempt in range(len(cls.model_fields) + 1):
            try:
                return cls.model_validate(values)
            except ValidationError as exc:
                bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
                if not bad & set(values):
                    raise
                values = {k: v for k, v in values.items() if k not in bad}
        raise AssertionError("unreachable")  # pragma: no cover

    def query_params(self, **override: Any) -> dict[str, str]:
        """The filters as they go into a link: defaults left out (except `always_in_links`),
        `override` by the name in the address (e.g. `page=2`, `page=""` to drop it)."""
        params: dict[str, str] = {}
        for name, field in type(self).model_fields.items():
            key = field.alias or name
            value = getattr(self, name)
            if value == field.default and name not in self.always_in_links:
                continue
            params[key] = _as_text(value)
        params.update({k: _as_text(v) for k, v in override.items()})
        return {k: v for k, v in params.items() if v}


def _as_text(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    return str(value)
