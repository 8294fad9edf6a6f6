"""CRYPTO-6: rotating the key-encryption key re-wraps every data key and re-encrypts no
data; the key ring holds several KEKs by version while a rotation is under way."""

from __future__ import annotations

import base64
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner
from unit_support import clear_caches, new_entry

from betterjournal import crypto, keystore
from betterjournal.cli import app
from betterjournal.core import accounts, audit, checkins, form_tokens, items, journal, mail, reminders
from betterjournal.crypto import DecryptionError, UnknownKek, Vault, parse_keyring
from betterjournal.db import get_engine, session_scope
from betterjournal.models import AuditAction, AuditOutcome, OutboxMessage

runner = CliRunner()


@pytest.fixture
def key_file(db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's KEK moved from BJ_KEK into a key file outside the data, as in production."""
    path = tmp_path / "secrets" / "kek.key"
    path.parent.mkdir()
    path.write_text(os.environ["BJ_KEK"] + "\n")
    monkeypatch.delenv("BJ_KEK")
    monkeypatch.setenv("BJ_KEY_FILE", str(path))
    clear_caches()
    return path


def _ciphertexts() -> list[tuple[bytes, ...]]:
    with get_engine().connect() as connection:
        return [
            tuple(row) for row in connection.execute(text("SELECT * FROM journal_entry ORDER BY item_id"))
        ]


def _bodies(owner: uuid.UUID) -> list[str]:
    with session_scope() as session:
        return sorted(i.fields["body"] for i in items.every_own(session, owner_id=owner, kind=journal.KIND))


def test_rotation_rewraps_every_data_key_and_leaves_the_data_as_it_was(db, key_file: Path) -> None:
    people = (db.client_a.id, db.client_b.id)
    with session_scope() as session:
        for owner in people:
            new_entry(session, owner_id=owner, body=f"written by {owner} before the rotation")
    data_before = _ciphertexts()
    assert len(data_before) == 2
    keys_before = {key.user_id: key for key in keystore.every_key()}
    assert {key.kek_version for key in keys_before.values()} == {1}

    added = runner.invoke(app, ["kek-new"])
    assert added.exit_code == 0, added.output
    assert "version 2" in added.output
    assert sorted(parse_keyring(key_file.read_text())) == [1, 2]
    rewrapped = runner.invoke(app, ["kek-rewrap"])
    assert rewrapped.exit_code == 0, rewrapped.output
    assert f"Re-wrapped {len(keys_before)} data keys with key-encryption key version 2" in rewrapped.output
    said = " ".join(rewrapped.output.split())
    assert "No data key in the key store needs version 1 any more" in said
    assert "copies made before this re-wrap still need version 1" in said  # and says to make one

    keys_after = {key.user_id: key for key in keystore.every_key()}
    assert keys_after.keys() == keys_before.keys()
    for user_id, key in keys_after.items():
        assert key.kek_version == 2 and key.wrapped != keys_before[user_id].wrapped
    assert _ciphertexts() == data_before  # not one byte of the data was re-encrypted

    # Version 1 retired: only the new KEK is left, and everything still opens.
    ring = parse_keyring(key_file.read_text())
    key_file.write_text(crypto.format_keyring({2: ring[2]}))
    clear_caches()
    for owner in people:
        assert _bodies(owner) == [f"written by {owner} before the rotation"]
    # ...which the old KEK alone can no longer do.
    old = Vault({1: ring[1]})
    stored = keys_after[db.client_a.id]
    with pytest.raises(UnknownKek):
        old.data_key(stored.user_id, stored.wrapped, stored.kek_version)
    with pytest.raises(DecryptionError):
        old.data_key(stored.user_id, stored.wrapped, 1)
    # Run again: nothing left to do.
    again = runner.invoke(app, ["kek-rewrap"])
    assert "Re-wrapped 0 data keys" in again.output


def test_a_running_app_reads_the_key_file_again_when_it_meets_a_newer_key(db, key_file: Path) -> None:
    with session_scope() as session:
        new_entry(session, owner_id=db.client_a.id, body="still readable mid-rotation")
    running = crypto.get_vault()  # the app's vault, cached since it started
    assert running.versions == {1}
    crypto.add_key_to_file(key_file)  # another process: `betterjournal kek-new`
    # A new account's key is wrapped by the newest KEK at once, though the app has not met
    # a key of that version yet: never by the version `kek-rewrap` is about to retire.
    user_id = uuid.uuid4()
    keystore.new_data_key(user_id)
    stored = keystore.get(user_id)
    assert stored is not None and stored.kek_version == 2
    assert crypto.get_vault() is running
    keystore.rewrap(Vault(parse_keyring(key_file.read_text())))  # ... and `kek-rewrap`
    assert crypto.get_vault() is running  # the app has not read the file since
    assert _bodies(db.client_a.id) == ["still readable mid-rotation"]
    assert crypto.get_vault().versions == {1, 2}


def test_what_the_deployment_signed_or_sealed_before_a_rotation_still_holds(db, key_file: Path) -> None:
    token = form_tokens.issue()
    opt_out = reminders.opt_out_token(db.client_a.id)
    message_id = uuid.uuid4()
    sealed = mail.outbox_key().seal_field(OutboxMessage.message_ct, message_id, "Subject: hello")
    with session_scope() as session:  # a check-in begun, not saved: kept under an id the KEK gives
        checkins.keep_unsaved(session, owner_id=db.client_a.id, values={"mood": 4, "note": "before"})
    crypto.add_key_to_file(key_file)
    clear_caches()
    assert crypto.get_vault().kek_version == 2
    assert form_tokens.is_valid(token)
    with session_scope() as session:
        assert checkins.unsaved(session, owner_id=db.client_a.id) == {"mood": 4, "note": "before"}
        checkins.keep_unsaved(session, owner_id=db.client_a.id, values={"mood": 6})
    with session_scope() as session:
        assert checkins.unsaved(session, owner_id=db.client_a.id) == {"mood": 6}
        checkins.forget_unsaved(session, owner_id=db.client_a.id)
    with session_scope() as session:
        assert checkins.unsaved(session, owner_id=db.client_a.id) is None  # under either id
    assert reminders.opted_out_person(opt_out) == db.client_a.id
    assert mail.outbox_key().open_field(OutboxMessage.message_ct, message_id, sealed) == "Subject: hello"
    # New ones are made with the newest KEK: they no longer hold once only version 1 is left.
    fresh_token = form_tokens.issue()
    ring = parse_keyring(key_file.read_text())
    key_file.write_text(crypto.format_keyring({1: ring[1]}))
    clear_caches()
    assert form_tokens.is_valid(token) and not form_tokens.is_valid(fresh_token)
    assert not form_tokens.is_valid(token[:-2] + "xx")
    # Text no signature could be: refused, not an error.
    assert not form_tokens.is_valid(token[:-2] + "é")
    assert reminders.opted_out_person(opt_out[:-1] + "é") is None


def test_with_bj_kek_set_a_new_key_is_printed_to_add_and_no_file_is_written(db) -> None:
    shown = runner.invoke(app, ["kek-new"])
    assert shown.exit_code == 0, shown.output
    entry = shown.output.strip().splitlines()[-1].strip()
    version, _, encoded = entry.partition(":")
    assert version == "2" and len(base64.b64decode(encoded)) == 32
    assert encoded not in os.environ["BJ_KEK"]


def test_a_ring_names_each_kek_by_version() -> None:
    one, two = (base64.b64encode(bytes([n]) * 32).decode() for n in (1, 2))
    assert parse_keyring(one) == {1: b"\x01" * 32}
    assert (
        parse_keyring(f"1:{one}, 2:{two}")
        == parse_keyring(f"2:{two}\n1:{one}\n")
        == {
            1: b"\x01" * 32,
            2: b"\x02" * 32,
        }
    )
    assert parse_keyring(crypto.format_keyring({1: b"\x01" * 32, 2: b"\x02" * 32}))[2] == b"\x02" * 32
    for bad in (f"1:{one},1:{two}", f"x:{one}", "²:" + one, "", f"2:{one[:-4]}"):
        with pytest.raises(crypto.KeyError_):
            parse_keyring(bad)


def test_a_person_without_a_data_key_gets_an_error_never_content(db) -> None:
    with session_scope() as session:
        new_entry(session, owner_id=db.client_a.id, body="nobody can read this now")
    keystore.destroy(db.client_a.id)
    with pytest.raises(DecryptionError), session_scope() as session:
        accounts.data_key(session, db.client_a.id)
    with pytest.raises(DecryptionError):
        _bodies(db.client_a.id)


def test_the_key_store_is_never_the_database_and_is_named_with_postgresql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from betterjournal.settings import SettingsError, get_settings

    database = os.environ.get("BJ_DATABASE_URL") or get_settings().database_url
    monkeypatch.setenv("BJ_KEYSTORE_URL", database)
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="must not be the database"):
        get_settings()
    monkeypatch.delenv("BJ_KEYSTORE_URL")
    monkeypatch.setenv("BJ_ENV", "production")
    monkeypatch.setenv("BJ_PUBLIC_URL", "https://journal.example.ca")
    monkeypatch.setenv("BJ_DATABASE_URL", "postgresql+psycopg://bj@db.internal/betterjournal")
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="set BJ_KEYSTORE_URL"):
        get_settings()
    # The same database, spelled otherwise: another driver name, user or the default port.
    for spelling in (
        "postgresql://bj@db.internal/betterjournal",
        "postgresql+psycopg://other@db.internal:5432/betterjournal",
    ):
        monkeypatch.setenv("BJ_KEYSTORE_URL", spelling)
        get_settings.cache_clear()
        with pytest.raises(SettingsError, match="must not be the database"):
            get_settings()
    monkeypatch.setenv("BJ_KEYSTORE_URL", "postgresql+psycopg://bj@keys.internal/betterjournal_keys")
    get_settings.cache_clear()
    assert get_settings().keystore_url.endswith("/betterjournal_keys")
    get_settings.cache_clear()


def test_a_key_store_that_is_the_database_under_another_name_is_refused(db, monkeypatch) -> None:
    """A relative path to the database's own file, or a link to it: the key store finds the
    app's tables there and refuses to start."""
    from unit_support import clear_caches

    from betterjournal.settings import SettingsError, get_settings

    database = Path(get_settings().database_url.removeprefix("sqlite:///"))
    relative = os.path.relpath(database)
    monkeypatch.setenv("BJ_KEYSTORE_URL", f"sqlite:///{relative}")
    clear_caches()
    with pytest.raises(SettingsError, match="must not be the database"):
        get_settings()
    alias = database.parent / "same-database.db"
    alias.symlink_to(database)
    monkeypatch.setenv("BJ_KEYSTORE_URL", f"sqlite:///{alias}")
    clear_caches()
    try:
        with pytest.raises(SettingsError, match="must not be the database"):  # resolved: the same file
            get_settings()
        hard = database.parent / "hard-link.db"
        os.link(database, hard)
        monkeypatch.setenv("BJ_KEYSTORE_URL", f"sqlite:///{hard}")
        clear_caches()
        with pytest.raises(RuntimeError, match="names the app's own database"):
            keystore.get_engine()
    finally:
        monkeypatch.delenv("BJ_KEYSTORE_URL")
        clear_caches()


def test_the_key_store_overwrites_what_it_deletes_and_reaches_the_disk_on_every_commit(db) -> None:
    with keystore.get_engine().connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_key_is_destroyed_only_once_its_account_is_really_gone(db) -> None:
    """The hook erasing registers fires on the unit of work's commit: a commit that did not
    delete the account (a refusal rolled back, then its audit row committed) keeps the key."""
    with session_scope() as session:
        keystore.destroy_when_committed(session, db.client_a.id)
    assert keystore.get(db.client_a.id) is not None


def test_a_key_an_erase_could_not_destroy_is_destroyed_by_the_next_sweep(db, monkeypatch) -> None:
    from unit_support import PASSWORD

    from betterjournal import scheduler
    from betterjournal.core import portability

    real_destroy = keystore.destroy

    def unreachable(user_id: uuid.UUID) -> None:
        raise OSError("the key store is out of reach")

    monkeypatch.setattr(keystore, "destroy", unreachable)
    with session_scope() as session:  # the erase still succeeds for the person
        portability.erase(session, client_id=db.client_a.id, password=PASSWORD, code="")
    assert keystore.get(db.client_a.id) is not None
    monkeypatch.setattr(keystore, "destroy", real_destroy)
    stray = uuid.uuid4()  # a key of an account that failed to be created: no erase, kept
    keystore.new_data_key(stray)
    refused = uuid.uuid4()  # an erasure refused: its row names whom it was for; kept
    keystore.new_data_key(refused)
    with session_scope() as session:
        audit.record(
            session,
            actor_id=refused,
            action=AuditAction.ERASE,
            outcome=AuditOutcome.DENIED,
            subject_id=refused,
        )
    assert scheduler.destroy_erased_keys() == 1
    assert keystore.get(db.client_a.id) is None
    assert keystore.get(db.client_b.id) is not None and keystore.get(stray) is not None
    assert keystore.get(refused) is not None
    assert scheduler.destroy_erased_keys() == 0


def test_an_erase_makes_its_deletion_durable_before_the_key_goes_and_holds_nobody_up(db, monkeypatch) -> None:
    """A reader holding an old snapshot (a backup, an export) keeps the write-ahead log from
    being emptied. The erase still ends at once: its deletion is synced to disk first (a
    power cut can't bring the account back without its key), then the key is destroyed;
    another person's write meanwhile is not held up."""
    import sqlite3
    import threading
    import time

    from unit_support import PASSWORD

    from betterjournal.core import portability
    from betterjournal.settings import get_settings

    order: list[str] = []
    real_fsync, real_destroy = os.fsync, keystore.destroy
    monkeypatch.setattr(os, "fsync", lambda descriptor: (order.append("sync"), real_fsync(descriptor))[1])
    monkeypatch.setattr(
        keystore, "destroy", lambda user_id: (order.append("destroy"), real_destroy(user_id))[1]
    )
    reader = sqlite3.connect(get_settings().database_url.removeprefix("sqlite:///"), isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM user_account").fetchall()
    meanwhile: dict[str, object] = {}

    def other_person_writes() -> None:
        time.sleep(0.2)
        started = time.monotonic()
        with session_scope() as session:
            new_entry(session, owner_id=db.client_b.id, body="B writes meanwhile")
        meanwhile["seconds"] = time.monotonic() - started

    writer = threading.Thread(target=other_person_writes)
    writer.start()
    started = time.monotonic()
    try:
        with session_scope() as session:
            portability.erase(session, client_id=db.client_a.id, password=PASSWORD, code="")
        took = time.monotonic() - started
    finally:
        writer.join()
        reader.execute("COMMIT")
    assert keystore.get(db.client_a.id) is None
    assert "sync" in order and order.index("sync") < order.index("destroy")
    assert took < 2 and float(meanwhile["seconds"]) < 1  # type: ignore[arg-type]
