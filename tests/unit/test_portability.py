"""PRIV-1 and PRIV-3 in the core: a client takes everything they have in one file, and can
delete their account with everything in it; nobody else's data goes either way."""

from __future__ import annotations

import html
import io
import json
import re
import uuid
import zipfile
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect
from sqlmodel import col, select
from unit_support import PASSWORD, link, new_entry, row_counts, share

from betterjournal import emails, export_files
from betterjournal.core import (
    accounts,
    agenda,
    appointments,
    checkins,
    credentials,
    drafts,
    homework,
    items,
    journal,
    links,
    mail,
    portability,
    reminders,
    sharing,
    worksheets,
)
from betterjournal.core.errors import Denied, InvalidInput, SignInFailed
from betterjournal.core.links import CodeRefused
from betterjournal.crypto import sha256_hex
from betterjournal.db import get_engine, session_scope
from betterjournal.i18n import Reader
from betterjournal.models import AccessRequest, AuditAction, AuditEvent, LoginFailure, Role, User, utcnow

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
        family = checkins.add_tag(session, owner_id=a, name="family")
        checkins.save(
            session,
            owner_id=a,
            item_id=uuid.uuid4(),
            values={
                "felt_at": (utcnow() - timedelta(hours=1)).isoformat(),
                "mood": 6,
                "note": "{}",  # the person's own words, however they look
                "tags": json.dumps([str(family)]),
            },
        )
        reminders.save_preferences(
            session,
            user_id=a,
            plan=reminders.plan_from_form({"quiet_on": "on", "quiet_start": "22:00", "quiet_end": "07:00"}),
        )
        session.add(AccessRequest(name="Client A", email=db.client_a.email, role=Role.CLIENT, language="en"))
        for client in (a, b):  # an email waiting for each (sealed: only its user_id names them)
            mail.send(
                session, to="someone@example.test", email=emails.email_changed(Reader()), for_user=client
            )
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
    assert [tag["name"] for tag in data["check_in_tags"]] == ["family"]
    assert [c["fields"]["note"] for c in data["items"]["check_in"]] == ["{}"]
    assert data["account"]["email"] == db.client_a.email
    assert [link["clinician"] for link in data["care_team"]] == ["Dr. A"]
    assert "B's words" not in json.dumps(data)
    # Audited item by item (AUD-1), as the client's own export.
    with session_scope() as session:
        rows = session.exec(select(AuditEvent).where(col(AuditEvent.action) == AuditAction.EXPORT)).all()
    exported = {made["shared"], made["private"], uuid.UUID(data["items"]["check_in"][0]["id"])}
    assert {(r.actor_id, r.subject_id) for r in rows} == {(db.client_a.id, db.client_a.id)}
    assert sorted(str(r.item_id) for r in rows) == sorted(map(str, exported))


def test_check_ins_are_listed_by_the_time_each_is_about_not_when_it_was_typed_in(db) -> None:
    """A walk-through: the export listed check-ins in the order they were typed in, so one
    made today "for" March sat among today's."""
    from note_kind import create_note_table

    create_note_table(get_engine())  # every kind's table, as `_world` makes them
    a = db.client_a.id
    with session_scope() as session:
        for hours_ago, mood in ((1, 6), (24 * 90, 3), (24, 5)):  # typed in this order
            checkins.save(
                session,
                owner_id=a,
                item_id=uuid.uuid4(),
                values={"felt_at": (utcnow() - timedelta(hours=hours_ago)).isoformat(), "mood": mood},
            )
    with session_scope() as session:
        data = portability.everything(session, client_id=a)
    assert [c["fields"]["mood"] for c in data["items"]["check_in"]] == ["6", "5", "3"]


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
    assert json.loads(archive.read(export_files.JSON_NAME)) == export_files.as_data(data)
    page = archive.read(export_files.HTML_NAME).decode()
    assert "shared words" in page and "half a thought" in page
    assert HOSTILE not in page and "&lt;script&gt;" in page  # the words shown, never run
    assert f'content="{export_files.NOTHING_LOADED}"' in page
    assert "Tout ce que vous avez dans Betterjournal" in page and 'lang="fr-CA"' in page
    tag_id = data["check_in_tags"][0]["id"]
    assert ">family<" in page and tag_id not in page  # a tag by its name, never its id
    assert ">{}</p>" in page  # a note is shown as written, never read as data
    assert "Humeur" in page and "mood" not in page  # each field by its label, in French


def _rows_naming(person: uuid.UUID, email: str) -> dict[str, int]:
    """Rows of every table but the audit log holding this person's id (either form), email,
    or the email's digest (whole or its first half, as throttling names an account)
    anywhere in any column."""
    found = {}
    with get_engine().connect() as connection:
        for table in inspect(connection).get_table_names():
            if table in ("audit_event", "alembic_version"):
                continue
            columns = [c["name"] for c in inspect(connection).get_columns(table)]
            marks = (person.hex, str(person), email, sha256_hex(email)[:32])
            where = " OR ".join(f'instr(CAST("{c}" AS TEXT), ?) > 0' for c in columns for _ in marks)
            count = connection.exec_driver_sql(
                f'SELECT count(*) FROM "{table}" WHERE {where}',  # noqa: S608 - names from the schema
                tuple(value for _ in columns for value in marks),
            ).scalar_one()
            if count:
                found[table] = count
    return found


def test_a_wrong_password_deletes_nothing(db) -> None:
    _world(db)
    before = _rows_naming(db.client_a.id, db.client_a.email)
    with pytest.raises(InvalidInput), session_scope() as session:
        portability.erase(session, client_id=db.client_a.id, password="not the password at all", code="")
    after = _rows_naming(db.client_a.id, db.client_a.email)
    assert after.pop("login_failure") == 1  # the attempt, counted (CRYPTO/AUTHN throttling)
    assert after == before
    assert before["client_item"] == 3 and before["user_account"] == 1 and before["access_request"] == 1


def test_erasing_removes_every_row_of_the_client_and_only_theirs(db) -> None:
    made = _world(db)
    with pytest.raises(InvalidInput), session_scope() as session:  # a typo first: throttled, counted
        portability.erase(session, client_id=db.client_a.id, password="not the password at all", code="")
    # Every other count that names A (an attack review found the last two left behind): a
    # wrong password at sign-in, a reset link asked for, a wrong invitation code.
    with pytest.raises(SignInFailed), session_scope() as session:
        accounts.authenticate(session, email=db.client_a.email, password="not it either", address="192.0.2.7")
    with session_scope() as session:
        credentials.send_reset_link(session, email=db.client_a.email)
    with pytest.raises(CodeRefused), session_scope() as session:
        links.check_code(session, client_id=db.client_a.id, code="A" * 28, address="192.0.2.7")
    with session_scope() as session:
        assert len(session.exec(select(LoginFailure.scope)).all()) >= 5
    others_before = _rows_naming(db.client_b.id, db.client_b.email)
    assert {
        "client_item",
        "check_in_tag",
        "item_draft",
        "reminder_preference",
        "access_request",
        "login_failure",
        "outbox_message",
        "care_link",
        "user_account",
    } <= set(_rows_naming(db.client_a.id, db.client_a.email))
    with session_scope() as session:
        told = portability.erase(session, client_id=db.client_a.id, password=PASSWORD, code="")
    assert told == [db.clinician_a.id]
    assert _rows_naming(db.client_a.id, db.client_a.email) == {}
    assert _rows_naming(db.client_b.id, db.client_b.email) == others_before
    with session_scope() as session:  # the rows keyed by A's items went with them; B's stay
        assert row_counts(session, ("journal_entry", "check_in", "item_share", "outbox_message")) == {
            "journal_entry": 1,
            "check_in": 0,
            "item_share": 1,
            "outbox_message": 1,  # B's; A's waiting email is dropped unsent
        }
    with session_scope() as session:
        assert session.get(User, db.client_a.id) is None
        seen = sharing.list_shared(
            session, clinician_id=db.clinician_a.id, client_id=db.client_b.id, kind=journal.KIND
        )
        assert [item.id for item in seen.items] == [made["others"]]
        erased = session.exec(select(AuditEvent).where(col(AuditEvent.action) == AuditAction.ERASE)).all()
        assert [(r.actor_id, r.subject_id) for r in erased] == [(db.client_a.id, db.client_a.id)]


def _visible_text(page: str) -> str:
    """The page's words as a reader's browser shows them (the tags and the head left out)."""
    body = page[page.index("<body") :]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_a_draft_kept_apart_says_so_in_the_data_taken_away(db) -> None:
    """A walk-through's download listed four drafts of one exercise alike: the copies kept
    apart from another device's words say so (in the JSON, and on the page)."""
    from note_kind import create_note_table

    create_note_table(get_engine())  # every kind's table (the tests' note kind too)
    a = db.client_a.id
    original = uuid.uuid4()
    with session_scope() as session:
        drafts.save(
            session, owner_id=a, kind=journal.KIND, item_id=original, values={"body": "on the laptop"}
        )
        copy = drafts.keep_apart(
            session, owner_id=a, kind=journal.KIND, copy_of=original, values={"body": "on the phone"}
        )
        data = portability.everything(session, client_id=a)
    assert {d["fields"]["body"]: d["copy_of"] for d in data["drafts"]} == {
        "on the laptop": None,
        "on the phone": str(original),
    }
    assert [d["item_id"] for d in data["drafts"] if d["copy_of"]] == [str(copy)]
    page = export_files.page(data, Reader("en", "America/Toronto"))
    assert page.count("Draft kept from another tab or device") == 1


def test_the_page_reads_as_words_not_as_stored_data(db) -> None:
    """PRIV-1: what a person reads in the page is what the app showed them: moments in their
    time zone, ratings out of 10, tags and scales by name, a worksheet's answers under its
    questions, an agenda's lines as Prepare words them. No key, id or UTC timestamp."""
    made = _world(db)
    a = db.client_a.id
    gone = uuid.uuid4()
    answers = {
        "situation": "A quiet day at home",
        "emotions": [{"emotion": "Sad", "intensity": 70}],
        "thoughts": ["Nobody called"],
        "hot_belief": 80,
    }
    with session_scope() as session:
        own = checkins.add_scale(session, client_id=a, added_by=a, name="Restless")
        checkins.save(
            session,
            owner_id=a,
            item_id=uuid.uuid4(),
            values={
                "felt_at": "2026-11-03T23:30:00+00:00",
                "mood": 7,
                "sleep_hours": "7.5",
                "own_scales": json.dumps({str(own): 4}),
            },
        )
        # An unsaved check-in: its time as the form holds it, on the person's own clock.
        drafts.save(
            session,
            owner_id=a,
            kind=checkins.KIND,
            item_id=uuid.uuid4(),
            values={"felt_at": "2026-11-03T21:30", "mood": "5"},
        )
        for kind, values in (
            (
                homework.KIND,
                {
                    "worksheet": json.dumps({"builtin": "thought_record"}),
                    "answers": json.dumps(answers),
                    "not_done": json.dumps({"reasons": ["forgot"]}),
                },
            ),
            (
                agenda.KIND,
                {
                    "lines": json.dumps(
                        [
                            {"id": "0a0b0c0d", "text": "Sleep, again"},
                            {"id": "1a1b1c1d", "pin": "journal_entry", "item": str(made["shared"])},
                            {"id": "2a2b2c2d", "pin": "chart"},
                            {"id": "3a3b3c3d", "pin": "homework_response", "item": str(gone)},
                        ]
                    ),
                    "remember": "Walk after lunch",
                },
            ),
        ):
            items.save(session, owner_id=a, kind=kind, item_id=uuid.uuid4(), values=values)
        dr, today = db.clinician_a.id, date.today()
        homework.assign(
            session,
            clinician_id=dr,
            client_id=a,
            template=f"builtin:{worksheets.JOURNALING_PROMPT.key}",
            questions=["What helped this week?", "What got in the way?"],
            today=today,
        )
        zone = ZoneInfo("America/Vancouver")
        appointments.plan(
            session,
            clinician_id=dr,
            client_id=a,
            day=(today + timedelta(days=9)).isoformat(),
            at="10:00",
            zone=zone,
        )
        appointments.mark_held(session, clinician_id=dr, client_id=a, zone=zone)
    with session_scope() as session:
        data = portability.everything(session, client_id=a)
    english = _visible_text(export_files.page(data, Reader("en", "America/Vancouver")))
    # An assigned prompt with its questions; each session, held or planned.
    assert "Journaling prompt What helped this week? What got in the way?" in english
    assert re.search(rf"{db.clinician_a.name} · Held [A-Z][a-z]{{2}} \d", english)
    assert re.search(rf"{db.clinician_a.name} · Planned for [A-Z][a-z]{{2}} \d", english)
    for shown in (
        "Mood 7 / 10",  # label, then the rating out of 10
        "When Nov 3, 2026, 3:30 p.m.",  # in the person's time zone
        "When Nov 3, 2026, 9:30 p.m.",  # the unsaved one's, as typed
        "Hours of sleep 7.5",
        "Tags family",
        "Your own scales Restless 4 / 10",
        "Exercise Thought record",
        "Situation A quiet day at home",
        "Emotions Emotion 1 Emotion Sad How strong (0–100) 70 / 100",
        "Automatic thoughts Nobody called",
        "How much I believed it (0–100) 80 / 100",
        "Evidence for the hot thought —",  # a question left empty
        "Not done I forgot",
        "Agenda Sleep, again Entry: Shared title My check-in chart An item you deleted",
        "What I want to remember Walk after lunch",
    ):
        assert shown in english
    stored = ("situation", "hot_belief", "thought_record", "builtin", "journal_entry", "0a0b0c0d")
    assert [word for word in stored if word in english] == []
    ids = {str(gone), str(made["shared"]), str(own), *(tag["id"] for tag in data["check_in_tags"])}
    assert [found for found in ids if found in english] == []
    assert re.findall(r"\d{4}-\d\d-\d\dT", english) == []  # no stored timestamp
    french = _visible_text(export_files.page(data, Reader("fr-CA", "America/Montreal")))
    for shown in ("Humeur 7 / 10", "Heures de sommeil 7,5", "Registre des pensées", "J'ai oublié"):
        assert shown in french
    # The JSON file: what the app stores as JSON text is data there, not JSON in a string
    # (a walk-through found "worksheet": "{\"builtin\": …}").
    bundle = zipfile.ZipFile(io.BytesIO(export_files.archive(data, Reader("en"))))
    stored = bundle.read(export_files.JSON_NAME).decode()
    readable = json.loads(stored)
    given = readable["homework_assigned"][0]["worksheet"]
    assert given["questions"] == ["What helped this week?", "What got in the way?"], given
    fields = [item["fields"] for kind in readable["items"].values() for item in kind]
    assert any(f.get("tags") == [tag["id"] for tag in data["check_in_tags"]] for f in fields)
    assert any(isinstance(f.get("answers"), dict) and f["answers"] for f in fields)
    assert any(isinstance(f.get("lines"), list) and f["lines"] for f in fields)
    in_strings = [
        (name, value)
        for f in fields
        for name in export_files.JSON_FIELDS
        if isinstance(value := f.get(name), str) and value[:1] in ("{", "[")
    ]
    assert in_strings == []


def test_one_file_at_a_time_per_person_whichever_way_it_is_asked_for() -> None:
    """A summary asked for in one tab and the archive fetched over HTTP share one guard
    (db.one_file_at_a_time): while one file is made for a person, another is refused for
    them, not for anyone else, and the place is free again once it is made or failed."""
    from betterjournal.core.errors import InvalidInput
    from betterjournal.db import one_file_at_a_time

    me, someone_else = uuid.uuid4(), uuid.uuid4()
    with one_file_at_a_time(me):
        with pytest.raises(InvalidInput, match="still being made"), one_file_at_a_time(me):
            pass
        with one_file_at_a_time(someone_else):
            pass
    with pytest.raises(RuntimeError), one_file_at_a_time(me):
        raise RuntimeError("the file failed")
    with one_file_at_a_time(me):
        pass
