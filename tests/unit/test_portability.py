"""PRIV-1 and PRIV-3 in the core: a client takes everything they have in one file, and can
delete their account with everything in it; nobody else's data goes either way."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import pytest
from sqlalchemy import inspect
from sqlmodel import col, select
from unit_support import PASSWORD, link, new_entry, share

from betterjournal import export_files
from betterjournal.core import checkins, drafts, journal, portability, sharing
from betterjournal.core.errors import Denied, InvalidInput
from betterjournal.db import get_engine, session_scope
from betterjournal.i18n import Reader
from betterjournal.models import AuditAction, AuditEvent, User

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _world(db) -> dict[str, uuid.UUID]:
    """Client A: a shared entry, a private one (with a hostile title), a draft, a tag; client
    B: an entry shared with the same clinician. Every kind's table exists (the tests' note
    kind too, when another test module registered it)."""
    from note_kind import create_note_table

    create_note_table(get_engine())
    a, b, dr = db.client_a.id, db.client_b.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr)
        link(session, client_id=b, clinician_id=dr)
        shared = new_entry(session, owner_id=a, title="Shared title", body="shared words")
        private = new_entry(session, owner_id=a, title=HOSTILE, body="private words")
        share(session, owner_id=a, entry_id=shared, clinician_id=dr)
        checkins.add_tag(session, owner_id=a, name="family")
        drafts.save(
            session, owner_id=a, kind=journal.KIND, item_id=uuid.uuid4(), values={"body": "half a thought"}
        )
        others = new_entry(session, owner_id=b, title="B's title", body="B's words")
        share(session, owner_id=b, entry_id=others, clinician_id=dr)
    return {"shared": shared, "private": private, "others": others}


def test_everything_holds_all_of_a_clients_own_data_and_nothing_of_anyone_elses(db) -> None:
    made = _world(db)
    with session_scope() as session:
        data = portability.everything(session, client_id=db.client_a.id)
    entries = {item["id"]: item for item in data["items"]["journal_entry"]}
    assert set(entries) == {str(made["shared"]), str(made["private"])}
    assert entries[str(made["shared"])]["fields"] == {"title": "Shared title", "body": "shared words"}
    assert entries[str(made["shared"])]["shared_with_now"] == ["Dr. A"]
    assert entries[str(made["private"])]["shared_with_now"] == []
    assert [d["fields"]["body"] for d in data["drafts"]] == ["half a thought"]
    assert data["check_in_tags"] == ["family"]
    assert data["account"]["email"] == db.client_a.email
    assert [link["clinician"] for link in data["care_team"]] == ["Dr. A"]
    assert "B's words" not in json.dumps(data)
    # Audited item by item (AUD-1), as the client's own export.
    with session_scope() as session:
        rows = session.exec(select(AuditEvent).where(col(AuditEvent.action) == AuditAction.EXPORT)).all()
    assert {(r.actor_id, r.subject_id, r.item_id) for r in rows} == {
        (db.client_a.id, db.client_a.id, made["shared"]),
        (db.client_a.id, db.client_a.id, made["private"]),
    }


def test_only_a_client_can_export_or_erase(db) -> None:
    for action in (
        lambda s: portability.everything(s, client_id=db.clinician_a.id),
        lambda s: portability.erase(s, client_id=db.clinician_a.id, password=PASSWORD, code=""),
    ):
        with pytest.raises(Denied), session_scope() as session:
            action(session)


def test_the_file_holds_the_data_twice_and_the_page_runs_nothing(db) -> None:
    _world(db)
    with session_scope() as session:
        data = portability.everything(session, client_id=db.client_a.id)
    archive = zipfile.ZipFile(io.BytesIO(export_files.archive(data, Reader("fr-CA", "America/Montreal"))))
    assert sorted(archive.namelist()) == sorted([export_files.JSON_NAME, export_files.HTML_NAME])
    assert json.loads(archive.read(export_files.JSON_NAME)) == data
    page = archive.read(export_files.HTML_NAME).decode()
    assert "shared words" in page and "half a thought" in page
    assert HOSTILE not in page and "&lt;script&gt;" in page  # the words shown, never run
    assert f'content="{export_files.NOTHING_LOADED}"' in page
    assert "Tout ce que vous avez dans Betterjournal" in page and 'lang="fr-CA"' in page


def _rows_naming(person: uuid.UUID) -> dict[str, int]:
    """Rows of every table but the audit log with this person's id in any column."""
    found = {}
    with get_engine().connect() as connection:
        for table in inspect(connection).get_table_names():
            if table in ("audit_event", "alembic_version"):
                continue
            columns = [c["name"] for c in inspect(connection).get_columns(table)]
            where = " OR ".join(f'"{c}" = ?' for c in columns)
            count = connection.exec_driver_sql(
                f'SELECT count(*) FROM "{table}" WHERE {where}',  # noqa: S608 - names from the schema
                tuple([person.hex] * len(columns)),
            ).scalar_one()
            if count:
                found[table] = count
    return found


def test_a_wrong_password_deletes_nothing(db) -> None:
    _world(db)
    before = _rows_naming(db.client_a.id)
    with pytest.raises(InvalidInput), session_scope() as session:
        portability.erase(session, client_id=db.client_a.id, password="not the password at all", code="")
    assert _rows_naming(db.client_a.id) == before
    assert before["client_item"] == 2 and before["user_account"] == 1


def test_erasing_removes_every_row_of_the_client_and_only_theirs(db) -> None:
    made = _world(db)
    others_before = _rows_naming(db.client_b.id)
    with session_scope() as session:
        told = portability.erase(session, client_id=db.client_a.id, password=PASSWORD, code="")
    assert told == [db.clinician_a.id]
    assert _rows_naming(db.client_a.id) == {}
    assert _rows_naming(db.client_b.id) == others_before
    with session_scope() as session:
        assert session.get(User, db.client_a.id) is None
        seen = sharing.list_shared(
            session, clinician_id=db.clinician_a.id, client_id=db.client_b.id, kind=journal.KIND
        )
        assert [item.id for item in seen.items] == [made["others"]]
        erased = session.exec(select(AuditEvent).where(col(AuditEvent.action) == AuditAction.ERASE)).all()
        assert [(r.actor_id, r.subject_id) for r in erased] == [(db.client_a.id, db.client_a.id)]
