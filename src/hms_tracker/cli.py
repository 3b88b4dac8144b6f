"""The `hms-tracker` command: serve, migrate, create-admin, demo, backup, remind, send-mail."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from pathlib import Path
from typing import Annotated

import typer

from hms_tracker.config import ConfigurationError, get_settings

app = typer.Typer(help="HMS compliance tracker.", no_args_is_help=True, add_completion=False)


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code=1)


def _engine():  # type: ignore[no-untyped-def]
    from hms_tracker.db import create_db_engine

    return create_db_engine(get_settings().resolved_database_url)


@app.command()
def serve(
    host: Annotated[str, typer.Option(envvar="HOST", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the web application (the database must be migrated)."""
    import uvicorn

    from hms_tracker.migrate import current_revision, head_revision

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    try:
        settings.resolved_secret_key()
    except ConfigurationError as exc:
        _fail(str(exc))
    engine = _engine()
    try:
        current = current_revision(engine)
    except Exception as exc:  # unreachable database
        _fail(f"Cannot reach the database ({settings.resolved_database_url.split('@')[-1]}): {exc}")
    head = head_revision()
    if current != head:
        _fail(
            f"The database is at migration {current or 'none'}, the newest is {head}. "
            "Run `hms-tracker migrate` (or `make migrate`) first."
        )
    engine.dispose()
    uvicorn.run(
        "hms_tracker.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        # No access log: a line with the client address, the time and "POST /report" would
        # identify an anonymous reporter (deviations/report_routes.py).
        access_log=False,
    )


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Bring the database schema up to date (Alembic upgrade)."""
    from hms_tracker.migrate import upgrade

    upgrade(get_settings().resolved_database_url, revision)
    typer.echo(f"Database migrated to {revision}.")


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(prompt=True, help="E-mail to log in with.")],
    name: Annotated[str, typer.Option(prompt=True, help="The person's full name.")],
) -> None:
    """Create an HMS coordinator (admin) account. The password is asked for, never taken as an
    argument. A person already in the register with this e-mail gets the account; otherwise
    the person is added."""
    from datetime import date

    from sqlmodel import Session, func, select

    from hms_tracker.accounts import service as accounts
    from hms_tracker.audit.service import Actor, acting_as
    from hms_tracker.errors import InvalidInput
    from hms_tracker.organisation.models import Person

    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    email = accounts.normalise_email(email)
    engine = _engine()
    with Session(engine) as session, acting_as(Actor(label="cli:create-admin")):
        person = session.exec(select(Person).where(func.lower(Person.email) == email)).first()
        if person is None:
            person = Person(name=name.strip(), email=email, employed_from=date.today())
            session.add(person)
            session.flush()
        try:
            accounts.create_user(
                session=session, person=person, email=email, password=password, is_admin=True
            )
        except InvalidInput as exc:
            session.rollback()
            _fail("; ".join(exc.errors.values()))
        session.commit()
    engine.dispose()
    typer.echo(f"Admin {email} created.")


@app.command()
def demo(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Only load when the database has no people.")
    ] = False,
    scale: Annotated[
        str | None,
        typer.Option(
            "--scale",
            help="A large company to measure the app on: 'large' (ten years, 5,000 people "
            "employed, 100,000 deviations; a few minutes) or 'medium' (a tenth of it).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Load a realistic demo company (people, departments, accounts with password demo-passord)."""
    from hms_tracker.demo.builder import DemoAlreadyLoaded, build_demo, has_people

    if scale is not None:
        from hms_tracker.demo.scale import SCALES

        if scale not in SCALES:
            _fail(f"--scale must be 'medium' or 'large', not {scale!r}.")
    engine = _engine()
    if if_empty and has_people(engine):
        typer.echo("The database already has data; demo not loaded.")
        return
    try:
        if scale is None:
            summary = build_demo(engine)
        else:
            from hms_tracker.demo.scale import build_scaled

            summary = build_scaled(engine, scale=scale, progress=typer.echo)
    except DemoAlreadyLoaded as exc:
        _fail(exc.message)
    typer.echo(summary)


@app.command()
def backup(
    target: Annotated[Path, typer.Argument(help="File to write the backup to.")],
) -> None:
    """Back up the database. SQLite: an online backup to TARGET. PostgreSQL: prints the
    pg_dump command to run."""
    settings = get_settings()
    url = settings.resolved_database_url
    if not settings.is_sqlite:
        from sqlalchemy.engine import make_url

        u = make_url(url)
        parts = ["pg_dump", "--format=custom", f"--file={target}"]
        if u.host:
            parts.append(f"--host={u.host}")
        if u.port:
            parts.append(f"--port={u.port}")
        if u.username:
            parts.append(f"--username={u.username}")
        parts.append(u.database or "")
        typer.echo("PostgreSQL is backed up with pg_dump. Run:")
        typer.echo("  " + " ".join(parts))
        return
    source_path = url.split("///", 1)[-1]
    if not os.path.exists(source_path):
        _fail(f"No database at {source_path}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_path)
    dest = sqlite3.connect(str(target))
    with dest:
        source.backup(dest)
    dest.close()
    source.close()
    typer.echo(f"Backup written to {target}.")


def _mail_summary(delivery: object) -> str:
    from hms_tracker.notifications.service import DeliveryResult

    assert isinstance(delivery, DeliveryResult)
    if not delivery.enabled:
        return (
            f"E-mail is not configured (HMS_SMTP_HOST is empty): {delivery.waiting} "
            "message(s) wait in the outbox and are sent once it is set."
        )
    text = f"{delivery.sent} e-mail(s) sent"
    if delivery.failed:
        text += f", {delivery.failed} failed"
    if delivery.given_up:
        text += f" ({delivery.given_up} given up after {get_settings().smtp_max_attempts} attempts)"
    return text + f"; {delivery.waiting} waiting."


@app.command()
def remind(
    day: Annotated[
        str | None, typer.Option(help="The day to remind for, YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Send each person one digest of their overdue items for the day (once per day, also
    when several machines run it), then deliver the outbox. For cron."""
    from datetime import date

    from hms_tracker.notifications.remind import run_reminders

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        on = date.fromisoformat(day) if day else date.today()
    except ValueError:
        _fail(f"--day must be a date as YYYY-MM-DD, not {day!r}.")
    engine = _engine()
    result = run_reminders(engine, get_settings(), on)
    engine.dispose()
    text = f"{on.isoformat()}: {result.digests} digest(s) queued"
    if result.already_done:
        text += f", {result.already_done} already queued earlier today"
    if result.without_email:
        text += f", {result.without_email} person(s) without e-mail skipped"
    if result.agendas:
        text += f", the agenda of {result.agendas} AMU meeting(s) sent"
    typer.echo(text + ".")
    typer.echo(_mail_summary(result.delivery))


@app.command("send-mail")
def send_mail() -> None:
    """Deliver the e-mails waiting in the outbox (and retry failed ones). For cron."""
    from hms_tracker.notifications.service import deliver_pending

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    engine = _engine()
    result = deliver_pending(engine, get_settings())
    engine.dispose()
    typer.echo(_mail_summary(result))


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
