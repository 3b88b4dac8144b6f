"""Sending one e-mail over SMTP with the HMS_SMTP_* settings (smtplib, nothing else)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from hms_tracker.config import Settings


def build_message(
    settings: Settings, *, recipient: str, subject: str, body: str, calendar: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = recipient
    # A header must be one line; titles typed by users may hold line breaks.
    message["Subject"] = " ".join(subject.split())
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    # Quoted-printable keeps æøå intact through relays that are not 8-bit clean.
    message.set_content(body, cte="quoted-printable")
    if calendar:
        # An invitation calendar programs offer to accept (RFC 6047: text/calendar with the
        # calendar's METHOD as a parameter).
        message.add_attachment(
            calendar, subtype="calendar", filename="invitasjon.ics", cte="quoted-printable",
            params={"method": "REQUEST"},
        )  # fmt: skip
    return message


def connect(settings: Settings) -> smtplib.SMTP:
    """An open, logged-in connection (SSL from the start, or STARTTLS when asked)."""
    host, port, timeout = settings.smtp_host.strip(), settings.smtp_port, settings.smtp_timeout
    connection: smtplib.SMTP
    if settings.smtp_ssl:
        connection = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if settings.smtp_starttls and not settings.smtp_ssl:
            connection.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            connection.login(settings.smtp_username, settings.smtp_password.get_secret_value())
    except BaseException:
        close(connection)
        raise
    return connection


def close(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()


def short_error(exc: BaseException, settings: Settings) -> str:
    """What went wrong, short enough for the outbox row and with no password in it."""
    text = f"{type(exc).__name__}: {exc}"
    secret = settings.smtp_password.get_secret_value()
    if secret:
        text = text.replace(secret, "***")
    return " ".join(text.split())[:300]


# The server refused this one message; the connection is still good for the next one.
# Anything else (smtplib's errors are OSErrors too) is taken as a broken connection.
MESSAGE_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    ValueError,  # an address or header the e-mail library refuses
)
