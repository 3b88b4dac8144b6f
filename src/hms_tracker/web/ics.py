"""iCalendar (RFC 5545) text for calendar programs: a meeting invitation sent with an
e-mail, and a person's calendar feed that Outlook and Google Calendar subscribe to.

Times of day are written in Europe/Oslo with the zone's definition included (VTIMEZONE), so
a calendar abroad shows them right; whole days are DATE values. Text is escaped and lines
are folded at 75 octets, as the standard asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

TZID = "Europe/Oslo"
PRODID = "-//hms-tracker//NO"
# Europe/Oslo since 1996: CET, and CEST from the last Sunday of March to the last of October.
_VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "END:DAYLIGHT",
    "END:VTIMEZONE",
]


@dataclass(frozen=True)
class Event:
    uid: str  # stable: the same event keeps its uid when it changes
    summary: str
    starts: datetime | date  # a naive datetime is local time in Europe/Oslo; a date: all day
    ends: datetime | date | None = None
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0  # raised when the event changes (an invitation sent again)
    cancelled: bool = False


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> list[str]:
    """A content line split into lines of at most 75 octets (UTF-8), never inside a
    character; each continuation starts with a space."""
    out: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = " " + char
            limit = 75
        else:
            current += char
    out.append(current)
    return out


def _when(name: str, value: datetime | date) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return f"{name}:{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        return f"{name};TZID={TZID}:{value:%Y%m%dT%H%M%S}"
    return f"{name};VALUE=DATE:{value:%Y%m%d}"


def calendar(
    events: Iterable[Event], *, name: str = "", method: str | None = None,
    stamp: datetime | None = None,
) -> str:  # fmt: skip
    """The VCALENDAR text (CRLF line ends). `method` "REQUEST" makes it an invitation."""
    now = (stamp or datetime.now(UTC)).astimezone(UTC)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape(name)}")
        lines.append(f"X-WR-TIMEZONE:{TZID}")
    lines += _VTIMEZONE
    for e in events:
        lines += ["BEGIN:VEVENT", f"UID:{e.uid}", f"DTSTAMP:{now:%Y%m%dT%H%M%SZ}"]
        lines.append(_when("DTSTART", e.starts))
        if e.ends is not None:
            lines.append(_when("DTEND", e.ends))
        lines.append(f"SUMMARY:{escape(e.summary)}")
        if e.description:
            lines.append(f"DESCRIPTION:{escape(e.description)}")
        if e.location:
            lines.append(f"LOCATION:{escape(e.location)}")
        if e.url:
            lines.append(f"URL:{e.url}")
        lines.append(f"SEQUENCE:{e.sequence}")
        lines.append("STATUS:CANCELLED" if e.cancelled else "STATUS:CONFIRMED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in fold(line))
