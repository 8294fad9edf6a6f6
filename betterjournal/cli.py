"""`betterjournal`: the operator's console command."""

from __future__ import annotations

import base64
import secrets
import sys
from pathlib import Path

import typer
from sqlalchemy import make_url
from sqlmodel import Session

from betterjournal import keystore
from betterjournal.core import accounts, items, journal, links, sharing
from betterjournal.core.errors import CoreError
from betterjournal.crypto import add_key_to_file, generate_key_file, get_vault
from betterjournal.db import session_scope
from betterjournal.models import Role, User
from betterjournal.settings import PROJECT_ROOT, get_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
user_app = typer.Typer(no_args_is_help=True, help="Create and list accounts.")
app.add_typer(user_app, name="user")


def _say(message: str) -> None:
    typer.echo(message)


def migrate() -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")


@app.command()
def init() -> None:
    """Create the local key file if there is none, and bring the database up to date."""
    settings = get_settings()
    if not settings.key_b64 and generate_key_file(settings.key_file):
        _say(f"Created a new key-encryption key at {settings.key_file} (mode 600). Back it up.")
    migrate()
    keystore.get_engine()  # the key store's table, created if missing
    for url in (settings.database_url, settings.keystore_url):
        if url.startswith("sqlite:///"):
            # Names and emails are stored in the clear: only the app's user may read the files.
            database = Path(url.removeprefix("sqlite:///"))
            for path in (database, database.with_name(database.name + "-wal")):
                if path.exists():
                    path.chmod(0o600)
    _say("Database is up to date.")


@app.command("kek-new")
def kek_new() -> None:
    """Rotating the key-encryption key, step 1 of 3: add a new KEK to the key file as its
    newest version. New data keys are wrapped by it at once (a running app reads the file
    again when it first meets a key wrapped by a version it does not know)."""
    settings = get_settings()
    if settings.key_b64:
        fresh = base64.b64encode(secrets.token_bytes(32)).decode()
        newest = max(get_vault().versions) + 1
        _say(
            f"BJ_KEK is set, so the key file is not used. Add this entry to BJ_KEK, restart the "
            f"app, then run `betterjournal kek-rewrap`:\n  {newest}:{fresh}"
        )
        return
    version = add_key_to_file(settings.key_file)
    get_vault.cache_clear()
    _say(
        f"Added key-encryption key version {version} to {settings.key_file}. "
        "Next: `betterjournal kek-rewrap`."
    )


@app.command("kek-rewrap")
def kek_rewrap() -> None:
    """Rotating the key-encryption key, step 2 of 3: re-wrap every data key with the newest
    KEK, without re-encrypting any data (CRYPTO-6). Safe while the app runs, and to run
    again. Step 3: remove the older versions it names from BJ_KEK or the key file."""
    vault = get_vault()
    done = keystore.rewrap(vault)
    with session_scope() as session:
        destroyed = keystore.destroy_erased(session)
    in_use = keystore.versions_in_use()
    _say(f"Re-wrapped {done} data keys with key-encryption key version {vault.kek_version}.")
    if destroyed:
        _say(f"Destroyed {destroyed} keys of deleted accounts that were left behind.")
    retired = sorted(vault.versions - set(in_use) - {vault.kek_version})
    if retired:
        listed = ", ".join(str(version) for version in retired)
        _say(
            f"No data key in the key store needs version {listed} any more. Make a new copy of the "
            "key store now (`betterjournal backup-keys`): the copies made before this re-wrap "
            f"still need version {listed}. Remove it from BJ_KEK or the key file once you keep no "
            "such copy, and no database backup made before the key store (migration 0016), and "
            "the email outbox is empty (`betterjournal mail`); then restart the app."
        )


def _read_password() -> str:
    if sys.stdin.isatty():
        return typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@user_app.command("create")
def create_user(
    role: Role = typer.Option(..., help="client, clinician or admin"),
    email: str = typer.Option(...),
    name: str = typer.Option(..., help="The name others will see, e.g. 'Dr. Rivera'."),
) -> None:
    """Create an account. The password is read from standard input."""
    password = _read_password()
    try:
        with session_scope() as session:
            user = accounts.create_user(session, email=email, display_name=name, password=password, role=role)
            _say(f"Created {user.role.value} {user.email}")
    except CoreError as error:
        _say(str(error))
        raise typer.Exit(1) from None


@user_app.command("list")
def list_users() -> None:
    """List accounts: email, role, name, active. Shows no journal content."""
    with session_scope() as session:
        for user in accounts.list_users(session):
            state = "active" if user.is_active else "disabled"
            _say(f"{user.email}\t{user.role.value}\t{user.display_name}\t{state}")


@user_app.command("forget-clinic-sign-in")
def forget_clinic_sign_in(email: str = typer.Option(...)) -> None:
    """Let a clinician's next clinic sign-in bind a new subject at the provider (their account
    there was made again): the one kept now refuses it."""
    try:
        with session_scope() as session:
            found = accounts.forget_clinic_subject(session, email=email)
    except CoreError as error:
        _say(str(error))
        raise typer.Exit(1) from None
    if not found:
        _say("No account has this email.")
        raise typer.Exit(1)
    _say(f"{email}: the next clinic sign-in, finished with the two-step code, is bound to this account.")


DEMO_PASSWORD = "quiet-river-morning-42"  # noqa: S105 - demo only, refused in production
DEMO_ENTRIES = {
    "sam@demo.betterjournal.ca": [
        ("A better morning", "Walked before work. Noticed I was less tense in the team meeting."),
        ("", "Hard evening. Wrote down the thought: 'I always get it wrong'. Will bring it up."),
    ],
    "alex@demo.betterjournal.ca": [("First entry", "Trying this out. Slept six hours.")],
}


def _demo_user(session: Session, email: str, name: str, role: Role) -> User:
    return accounts.create_user(session, email=email, display_name=name, password=DEMO_PASSWORD, role=role)


@app.command()
def demo() -> None:
    """Add demo accounts with sample entries (never in production) and print how to sign in."""
    import uuid

    if get_settings().production:
        _say("Demo accounts are never created in production.")
        raise typer.Exit(1)
    with session_scope() as session:
        if accounts.list_users(session):
            _say("Accounts already exist; no demo data added.")
        else:
            clinician = _demo_user(session, "rivera@demo.betterjournal.ca", "Dr. Rivera", Role.CLINICIAN)
            clients = [
                _demo_user(session, "sam@demo.betterjournal.ca", "Sam Tremblay", Role.CLIENT),
                _demo_user(session, "alex@demo.betterjournal.ca", "Alex Singh", Role.CLIENT),
            ]
            for client in clients:
                code = links.create_invitation(session, clinician_id=clinician.id)
                invitation = links.find_invitation(session, code)
                links.accept_invitation(session, client_id=client.id, invitation_id=invitation.id)
                for index, (title, body) in enumerate(DEMO_ENTRIES[client.email]):
                    entry_id = uuid.uuid4()
                    items.save(
                        session,
                        owner_id=client.id,
                        kind=journal.KIND,
                        item_id=entry_id,
                        values={"title": title, "body": body},
                    )
                    session.flush()
                    if index == 0:
                        sharing.set_shared(
                            session,
                            owner_id=client.id,
                            item_id=entry_id,
                            clinician_id=clinician.id,
                            shared=True,
                        )
    _say("Demo accounts (password for each: " + DEMO_PASSWORD + "):")
    _say("  clinician  rivera@demo.betterjournal.ca")
    _say("  client     sam@demo.betterjournal.ca")
    _say("  client     alex@demo.betterjournal.ca")


@app.command()
def paths() -> None:
    """Show where the data and the keys live."""
    settings = get_settings()
    _say(f"database  {make_url(settings.database_url).render_as_string(hide_password=True)}")
    _say(f"key store {make_url(settings.keystore_url).render_as_string(hide_password=True)}")
    _say(f"key file  {Path(settings.key_file)}" + ("  (unused: BJ_KEK is set)" if settings.key_b64 else ""))


@app.command()
def mail(count: int = typer.Option(3, help="How many of the newest messages to show.")) -> None:
    """Show the newest emails the app wrote to its outbox folder (no BJ_SMTP_URL set)."""
    from email import policy
    from email.parser import BytesParser

    folder = get_settings().outbox_dir
    files = (
        sorted(folder.glob("*.eml"), key=lambda path: path.stat().st_mtime)[-count:]
        if folder.exists()
        else []
    )
    if not files:
        _say(f"No email in {folder} yet.")
        return
    for path in files:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""  # type: ignore[union-attr]
        _say(f"--- {path.name}\nTo: {message['To']}\nSubject: {message['Subject']}\n\n{text}")


@app.command()
def backup(
    destination: Path = typer.Argument(..., help="A new file for the copy, e.g. backups/2026-12-02.db"),
) -> None:
    """Copy the database while the app runs (SQLite's online backup), to a new file only
    this user can read."""
    from betterjournal import backup as backups

    try:
        contents = backups.backup(destination)
    except backups.BackupError as error:
        _say(str(error))
        raise typer.Exit(1) from None
    _say(
        f"Backed up {contents.accounts} accounts to {destination}. It holds no data key: "
        "keep it apart from the key-encryption key, and out of the key store's copies."
    )


@app.command("backup-keys")
def backup_keys(
    destination: Path = typer.Argument(
        ..., help="A new file for the copy, kept apart from the database's backups"
    ),
) -> None:
    """Copy the key store (every person's wrapped data key) while the app runs, to a new file
    only this user can read. Keep one recent copy, replaced: a deleted account stays readable
    for as long as a copy of the key store made before its deletion is kept."""
    from betterjournal import backup as backups

    try:
        held = backups.backup_keys(destination)
    except backups.BackupError as error:
        _say(str(error))
        raise typer.Exit(1) from None
    _say(f"Copied {held} data keys to {destination}. Keep it apart from the database's backups.")


@app.command()
def restore(
    source: Path = typer.Argument(..., help="A file made by `betterjournal backup`"),
    leave_out_keyless: bool = typer.Option(
        False,
        "--leave-out-keyless",
        help="Leave out the backup's accounts whose key the key store lacks, though the database "
        "being replaced has no record of their deletion (their data can't be read without it).",
    ),
) -> None:
    """Replace the database with a backup (checked first). Stop the app before, start it after."""
    from betterjournal import backup as backups

    try:
        contents = backups.restore(source, leave_out_keyless=leave_out_keyless)
    except backups.BackupError as error:
        _say(str(error))
        raise typer.Exit(1) from None
    restored = contents.accounts - contents.deleted_since
    _say(f"Restored {restored} accounts from {source}. The database is up to date.")
    if contents.deleted_since:
        _say(
            f"Left out {contents.deleted_since} accounts deleted since the backup was made: "
            "the key store holds no key for them."
        )


@app.command("audit-verify")
def audit_verify() -> None:
    """Check that the audit log is whole: recompute its chain (AUD-4) from the first row.
    Exit 1, naming the first altered row, if anything was changed, removed or inserted."""
    from betterjournal.core import audit

    with session_scope() as session:
        verdict = audit.verify(session)
    if verdict.broken_at is not None:
        _say(f"The audit log was altered at row {verdict.broken_at} (after {verdict.checked} intact rows).")
        raise typer.Exit(1)
    _say(f"The audit log is intact: {verdict.checked} rows chained, {verdict.waiting} newest not sealed yet.")


if __name__ == "__main__":
    app()
