"""Invitations, links, sharing, clinician reads, audit, journal listing and drafts.

AUTHN-8, AUTHZ-2/3/4/8, AUD-1/2/3, PRIV-2, INPUT-6, AVAIL-1/4.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import LargeBinary, String, Text, event, text
from sqlmodel import Session, col, select, update
from unit_support import audit_events, link, new_entry, row_counts, share

from betterjournal.core import audit, journal, links, sharing
from betterjournal.core.errors import InvalidInput, NotFound
from betterjournal.db import get_engine, session_scope
from betterjournal.models import (
    AuditAction,
    AuditEvent,
    AuditOutcome,
    CareLink,
    ClientItem,
    Invitation,
    ItemKind,
    ItemShare,
    SharedEntry,
    utcnow,
)

SECRET = "SECRET-CONTENT-4be1"


def _visible(clinician_id: uuid.UUID) -> set[uuid.UUID]:
    with session_scope() as session:
        return sharing.visible_item_ids(session, clinician_id=clinician_id)


def _read(clinician_id: uuid.UUID, entry_id: uuid.UUID) -> SharedEntry:
    with session_scope() as session:
        return journal.read_shared_entry(session, clinician_id=clinician_id, entry_id=entry_id)


def _events() -> list[AuditEvent]:
    with session_scope() as session:
        return audit_events(session)


# --- invitations and links ----------------------------------------------------------------


def _invite(clinician_id: uuid.UUID) -> str:
    with session_scope() as session:
        return links.create_invitation(session, clinician_id=clinician_id)


def _find(code: object) -> Invitation:
    with session_scope() as session:
        return links.find_invitation(session, code)


def _accept(client_id: uuid.UUID, invitation_id: uuid.UUID) -> None:
    with session_scope() as session:
        links.accept_invitation(session, client_id=client_id, invitation_id=invitation_id)


def test_invitation_code_is_random_readable_and_stored_only_hashed(db) -> None:
    code = _invite(db.clinician_a.id)
    assert re.fullmatch(r"([A-Z2-9]{4}-){6}[A-Z2-9]{4}", code)
    assert not set(code) & set("01OILU")
    assert _invite(db.clinician_a.id) != code
    with session_scope() as session:
        rows = session.exec(select(Invitation)).all()
    raw = code.replace("-", "")
    assert {row.code_hash for row in rows} >= {hashlib.sha256(raw.encode()).hexdigest()}
    assert all(raw not in str(row.model_dump()) for row in rows)


def test_invitation_code_is_forgiving_about_case_and_dashes(db) -> None:
    code = _invite(db.clinician_a.id)
    first = _find(code)
    assert _find(code.lower()).id == first.id
    assert _find(" " + code.replace("-", " ") + " ").id == first.id


def test_invitation_expires_in_seven_days(db, monkeypatch: pytest.MonkeyPatch) -> None:
    code = _invite(db.clinician_a.id)
    invitation = _find(code)
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    later = invitation.expires_at + timedelta(seconds=1)
    monkeypatch.setattr(links, "utcnow", lambda: later)
    with pytest.raises(InvalidInput) as expired:
        _find(code)
    with pytest.raises(InvalidInput):
        _accept(db.client_a.id, invitation.id)  # a code looked up earlier can't be used late
    with pytest.raises(InvalidInput) as unknown:
        _find("ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-4567")
    assert str(expired.value) == str(unknown.value)
    with session_scope() as session:
        assert not sharing.is_linked(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)


def test_invitation_is_single_use(db) -> None:
    code = _invite(db.clinician_a.id)
    invitation = _find(code)
    _accept(db.client_a.id, invitation.id)
    with pytest.raises(InvalidInput) as used:
        _find(code)
    with pytest.raises(InvalidInput):
        _accept(db.client_b.id, invitation.id)
    with pytest.raises(InvalidInput) as unknown:
        _find("NOPE")
    with pytest.raises(InvalidInput) as not_text:
        _find(None)
    with pytest.raises(InvalidInput) as too_long:
        _find("A" * 101)
    messages = {str(e.value) for e in (used, unknown, not_text, too_long)}
    assert len(messages) == 1
    assert code not in messages.pop()
    with session_scope() as session:
        assert sharing.is_linked(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
        assert not sharing.is_linked(session, client_id=db.client_b.id, clinician_id=db.clinician_a.id)
        used_row = session.get(Invitation, invitation.id)
        assert used_row is not None
        assert used_row.used_by_id == db.client_a.id


def test_accepting_twice_keeps_one_active_link(db) -> None:
    with session_scope() as session:
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
    with session_scope() as session:
        active = session.exec(select(CareLink).where(col(CareLink.ended_at).is_(None))).all()
        assert len(active) == 1
        people = links.linked_clinicians(session, client_id=db.client_a.id)
        assert [p.name for p in people] == [db.clinician_a.name]
        clients = links.linked_clients(session, clinician_id=db.clinician_a.id)
        assert [p.name for p in clients] == [db.client_a.name]


def test_linking_shares_nothing(db) -> None:
    with session_scope() as session:
        entries = [new_entry(session, owner_id=db.client_a.id, body=f"{SECRET} {i}") for i in range(3)]
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
        new_entry(session, owner_id=db.client_a.id, body=f"{SECRET} after link")
    assert _visible(db.clinician_a.id) == set()
    with session_scope() as session:
        listed, more = journal.list_shared_entries(
            session, clinician_id=db.clinician_a.id, client_id=db.client_a.id
        )
        assert (listed, more) == ([], None)
        detail = journal.get_entry(session, owner_id=db.client_a.id, entry_id=entries[0])
        assert [(s.clinician_name, s.shared) for s in detail.shares] == [(db.clinician_a.name, False)]
        assert row_counts(session)["item_share"] == 0
    for entry in entries:
        with pytest.raises(NotFound):
            _read(db.clinician_a.id, entry)


def test_end_link_revokes_every_share_to_that_clinician_at_once(db) -> None:
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        link(session, client_id=a, clinician_id=dr_b)
        entries = [new_entry(session, owner_id=a, body=f"entry {i}") for i in range(3)]
        for entry in entries:
            share(session, owner_id=a, entry_id=entry, clinician_id=dr_a)
        share(session, owner_id=a, entry_id=entries[0], clinician_id=dr_b)
    assert _visible(dr_a) == set(entries)
    before = len(_events())
    with session_scope() as session:
        links.end_link(session, client_id=a, clinician_id=dr_a)
    assert _visible(dr_a) == set()
    assert _visible(dr_b) == {entries[0]}  # the other clinician keeps theirs
    new = _events()[before:]
    revokes = [e for e in new if e.action == AuditAction.REVOKE]
    assert {e.item_id for e in revokes} == set(entries)
    assert all(e.outcome == AuditOutcome.ALLOWED and e.actor_id == a for e in revokes)
    assert [e.action for e in new if e.action == AuditAction.UNLINK] == [AuditAction.UNLINK]
    with session_scope() as session:
        active = session.exec(
            select(ItemShare).where(ItemShare.clinician_id == dr_a, col(ItemShare.revoked_at).is_(None))
        ).all()
        assert active == []
        with pytest.raises(InvalidInput):
            links.end_link(session, client_id=a, clinician_id=dr_a)  # no longer linked
    # Linking again shares nothing: the old shares stay revoked.
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
    assert _visible(dr_a) == set()


def test_a_share_needs_the_link_in_the_query(db) -> None:
    """AUTHZ-4: an ended link hides a share even if the share row was (wrongly) left active."""
    with session_scope() as session:
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
        entry = new_entry(session, owner_id=db.client_a.id, body=SECRET)
        share(session, owner_id=db.client_a.id, entry_id=entry, clinician_id=db.clinician_a.id)
        session.exec(text("UPDATE care_link SET ended_at = CURRENT_TIMESTAMP"))  # type: ignore[call-overload]
    assert _visible(db.clinician_a.id) == set()
    with pytest.raises(NotFound):
        _read(db.clinician_a.id, entry)


# --- clinician reads: one answer for every refusal, every attempt audited ----------------------


@pytest.fixture
def scene(db):
    """Client A linked to Dr. A and Dr. B, client B linked to Dr. B; entries of each kind."""
    a, b, dr_a, dr_b = db.client_a.id, db.client_b.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        link(session, client_id=a, clinician_id=dr_b)
        link(session, client_id=b, clinician_id=dr_b)
        ids = {
            "shared": new_entry(session, owner_id=a, title="Shared one", body=f"{SECRET} shared"),
            "unshared": new_entry(session, owner_id=a, body=f"{SECRET} private"),
            "revoked": new_entry(session, owner_id=a, body=f"{SECRET} revoked"),
            "deleted": new_entry(session, owner_id=a, body=f"{SECRET} deleted"),
            "other_clinician": new_entry(session, owner_id=a, body=f"{SECRET} for dr b"),
            "other_client": new_entry(session, owner_id=b, body=f"{SECRET} client b"),
        }
        for name in ("shared", "revoked", "deleted"):
            share(session, owner_id=a, entry_id=ids[name], clinician_id=dr_a)
        share(session, owner_id=a, entry_id=ids["other_clinician"], clinician_id=dr_b)
        share(session, owner_id=b, entry_id=ids["other_client"], clinician_id=dr_b)
        share(session, owner_id=a, entry_id=ids["revoked"], clinician_id=dr_a, shared=False)
        journal.delete_entry(session, owner_id=a, entry_id=ids["deleted"])
        ids["nonexistent"] = uuid.uuid4()
    return ids


def test_clinician_sees_only_what_was_shared_with_them(db, scene) -> None:
    assert _visible(db.clinician_a.id) == {scene["shared"]}
    assert _visible(db.clinician_b.id) == {scene["other_clinician"], scene["other_client"]}


def test_every_refusal_is_identical_and_audited(db, scene) -> None:
    dr_a = db.clinician_a.id
    messages = []
    for name in ("unshared", "revoked", "other_clinician", "other_client", "nonexistent", "deleted"):
        before = len(_events())
        with pytest.raises(NotFound) as caught:
            _read(dr_a, scene[name])
        messages.append((type(caught.value), str(caught.value), caught.value.args))
        new = _events()[before:]
        assert len(new) == 1, name
        assert (new[0].actor_id, new[0].item_id) == (dr_a, scene[name]), name
        assert new[0].action == AuditAction.VIEW_SHARED_ITEM
        assert new[0].outcome == AuditOutcome.DENIED
        assert SECRET not in caught.value.args[0]
    assert len(set(messages)) == 1, messages


def test_an_allowed_read_is_audited_and_marks_the_share_seen(db, scene) -> None:
    dr_a, a = db.clinician_a.id, db.client_a.id
    before = len(_events())
    with session_scope() as session:
        status = journal.get_entry(session, owner_id=a, entry_id=scene["shared"]).shares
        assert [(s.clinician_name, s.shared, s.seen_on) for s in status] == [
            (db.clinician_a.name, True, ""),
            (db.clinician_b.name, False, ""),
        ]
    entry = _read(dr_a, scene["shared"])
    assert (entry.id, entry.title, entry.body) == (str(scene["shared"]), "Shared one", f"{SECRET} shared")
    new = _events()[before:]
    assert len(new) == 1
    assert new[0].action == AuditAction.VIEW_SHARED_ITEM
    assert new[0].outcome == AuditOutcome.ALLOWED
    assert (new[0].actor_id, new[0].subject_id, new[0].item_id) == (dr_a, a, scene["shared"])
    with session_scope() as session:
        share_row = session.exec(
            select(ItemShare).where(ItemShare.item_id == scene["shared"], col(ItemShare.revoked_at).is_(None))
        ).one()
        first_seen = share_row.first_seen_at
        assert first_seen is not None
        status = journal.get_entry(session, owner_id=a, entry_id=scene["shared"]).shares
        assert status[0].seen_on != ""  # AUD-3: the client sees that it was seen
    _read(dr_a, scene["shared"])  # a second view keeps the first "seen" time
    with session_scope() as session:
        again = session.get(ItemShare, share_row.id)
        assert again is not None
        assert again.first_seen_at == first_seen
    assert len(_events()) == before + 2


def test_shared_entry_holds_only_the_items_own_fields() -> None:
    fields = {field.name for field in dataclasses.fields(SharedEntry)}
    assert fields == {"id", "title", "body", "written_on", "shared_on"}


def test_revocation_takes_effect_on_the_next_read(db, scene) -> None:
    dr_a, a = db.clinician_a.id, db.client_a.id
    assert _read(dr_a, scene["shared"]).body == f"{SECRET} shared"
    with session_scope() as session:
        share(session, owner_id=a, entry_id=scene["shared"], clinician_id=dr_a, shared=False)
    with pytest.raises(NotFound):
        _read(dr_a, scene["shared"])
    # Sharing again is a new share, not seen yet.
    with session_scope() as session:
        share(session, owner_id=a, entry_id=scene["shared"], clinician_id=dr_a)
        status = journal.get_entry(session, owner_id=a, entry_id=scene["shared"]).shares
        assert (status[0].shared, status[0].seen_on) == (True, "")


def test_no_content_when_the_audit_call_fails(db, scene, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", broken)
    result = None
    with pytest.raises(RuntimeError):
        result = _read(db.clinician_a.id, scene["shared"])
    assert result is None
    monkeypatch.undo()
    with session_scope() as session:
        share_row = session.exec(
            select(ItemShare).where(ItemShare.item_id == scene["shared"], col(ItemShare.revoked_at).is_(None))
        ).one()
        assert share_row.first_seen_at is None  # nothing about the view was kept


def test_no_content_when_the_audit_row_cannot_be_written(db, scene) -> None:
    """The database refuses audit inserts (full disk, locked table …): nothing is shown."""
    with get_engine().begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER audit_down BEFORE INSERT ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'audit down'); END"
        )
    before = len(_events())
    result = None
    with pytest.raises(Exception) as caught:
        result = _read(db.clinician_a.id, scene["shared"])
    assert result is None
    assert SECRET not in str(caught.value)
    assert len(_events()) == before
    with session_scope() as session:
        share_row = session.exec(
            select(ItemShare).where(ItemShare.item_id == scene["shared"], col(ItemShare.revoked_at).is_(None))
        ).one()
        assert share_row.first_seen_at is None


def test_content_is_decrypted_only_after_the_audit_commit(db, scene, monkeypatch) -> None:
    """The view is committed (audit row and all) before any ciphertext is opened."""
    order: list[str] = []

    @event.listens_for(Session, "after_commit")
    def committed(session) -> None:
        order.append("commit")

    real_open = journal._open_entry

    def opening(key, entry):
        order.append("open")
        return real_open(key, entry)

    monkeypatch.setattr(journal, "_open_entry", opening)
    try:
        _read(db.clinician_a.id, scene["shared"])
    finally:
        event.remove(Session, "after_commit", committed)
    assert order.index("commit") < order.index("open")


def test_list_shared_entries(db, scene) -> None:
    dr_a, dr_b, a, b = db.clinician_a.id, db.clinician_b.id, db.client_a.id, db.client_b.id
    with session_scope() as session:
        listed, more = journal.list_shared_entries(session, clinician_id=dr_a, client_id=a)
    assert [e.id for e in listed] == [str(scene["shared"])]
    assert more is None
    with session_scope() as session:
        listed, _ = journal.list_shared_entries(session, clinician_id=dr_b, client_id=b)
    assert [e.id for e in listed] == [str(scene["other_client"])]
    before = len(_events())
    with pytest.raises(NotFound), session_scope() as session:
        journal.list_shared_entries(session, clinician_id=dr_a, client_id=b)  # not linked
    new = _events()[before:]
    assert [(e.action, e.outcome, e.actor_id) for e in new] == [
        (AuditAction.VIEW_SHARED_LIST, AuditOutcome.DENIED, dr_a)
    ]


# --- audit rows hold no content --------------------------------------------------------


def test_audit_table_has_no_column_that_could_hold_content() -> None:
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    free_text = [
        c.name
        for c in table.columns
        if isinstance(c.type, Text | LargeBinary)
        or (isinstance(c.type, String) and not getattr(c.type, "enums", None))
    ]
    assert free_text == []


def test_share_revoke_delete_write_audit_rows_without_content(db) -> None:
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        entry = new_entry(session, owner_id=a, title=f"{SECRET} title", body=f"{SECRET} body")
    before = len(_events())
    with session_scope() as session:
        share(session, owner_id=a, entry_id=entry, clinician_id=dr_a)
        share(session, owner_id=a, entry_id=entry, clinician_id=dr_a)  # idempotent: no row
    with session_scope() as session:
        share(session, owner_id=a, entry_id=entry, clinician_id=dr_a, shared=False)
        share(session, owner_id=a, entry_id=entry, clinician_id=dr_a, shared=False)
    with session_scope() as session:
        share(session, owner_id=a, entry_id=entry, clinician_id=dr_a)
    with session_scope() as session:
        journal.delete_entry(session, owner_id=a, entry_id=entry)
    new = _events()[before:]
    assert [(e.action, e.outcome) for e in new] == [
        (AuditAction.SHARE, AuditOutcome.ALLOWED),
        (AuditAction.REVOKE, AuditOutcome.ALLOWED),
        (AuditAction.SHARE, AuditOutcome.ALLOWED),
        (AuditAction.REVOKE, AuditOutcome.ALLOWED),  # deleting revokes its share
        (AuditAction.DELETE, AuditOutcome.ALLOWED),
    ]
    assert all((e.actor_id, e.subject_id, e.item_id) == (a, a, entry) for e in new)
    for event_row in _events():
        assert SECRET not in str(event_row.model_dump())


def test_a_failed_share_leaves_no_share_and_no_allowed_audit(db) -> None:
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        entry = new_entry(session, owner_id=a, body="not linked yet")
    before = _events()
    with pytest.raises(InvalidInput), session_scope() as session:
        share(session, owner_id=a, entry_id=entry, clinician_id=dr_a)
    assert _events() == before
    assert _visible(dr_a) == set()


def test_deleted_entry_is_gone_for_its_owner_too(db) -> None:
    a = db.client_a.id
    with session_scope() as session:
        entry = new_entry(session, owner_id=a, body=f"{SECRET} to delete")
        journal.save_draft(session, owner_id=a, entry_id=entry, title="", body="edit in progress")
    with session_scope() as session:
        journal.delete_entry(session, owner_id=a, entry_id=entry)
    with session_scope() as session:
        counts = row_counts(session)
        assert (counts["journal_entry"], counts["draft"]) == (0, 0)
        tombstone = session.get(ClientItem, entry)
        assert tombstone is not None
        assert tombstone.deleted_at is not None
        assert journal.list_entries(session, owner_id=a) == ([], None)
        assert not journal.entry_exists(session, owner_id=a, entry_id=entry)
    for call in (
        lambda s: journal.get_entry(s, owner_id=a, entry_id=entry),
        lambda s: journal.delete_entry(s, owner_id=a, entry_id=entry),
        lambda s: journal.save_entry(s, owner_id=a, entry_id=entry, title="", body="reuse id"),
        lambda s: journal.save_draft(s, owner_id=a, entry_id=entry, title="", body="reuse"),
    ):
        with pytest.raises(NotFound), session_scope() as session:
            call(session)


# --- the client's own journal ---------------------------------------------------------


def test_list_entries_pages_of_fifty_newest_first(db) -> None:
    a = db.client_a.id
    total = 2 * journal.PAGE_SIZE + 1
    with session_scope() as session:
        made = [new_entry(session, owner_id=a, title=f"Entry {i}", body=f"body {i}") for i in range(total)]
        new_entry(session, owner_id=db.client_b.id, body="someone else's")
        # Space the timestamps so "newest first" can't come from insertion order by luck.
        base = utcnow()
        for i, entry_id in enumerate(made):
            item = session.get(ClientItem, entry_id)
            assert item is not None
            item.created_at = base - timedelta(minutes=total - i)
            session.add(item)
    pages = []
    cursor = None
    with session_scope() as session:
        while True:
            items, cursor = journal.list_entries(session, owner_id=a, older_than=cursor)
            pages.append(items)
            if cursor is None:
                break
        assert journal.list_entries(session, owner_id=a)[0] == pages[0]
    assert [len(items) for items in pages] == [50, 50, 1]
    ids = [entry.id for items in pages for entry in items]
    assert ids == [str(entry_id) for entry_id in reversed(made)]
    first = pages[0][0]
    assert (first.title, first.preview, first.share_label) == (
        f"Entry {total - 1}",
        f"body {total - 1}",
        "Private",
    )


def _walk(read) -> list[list[str]]:
    """Every page of a newest-first list, following its cursors."""
    pages, cursor = [], None
    while True:
        items, cursor = read(cursor)
        pages.append([item.id for item in items])
        if cursor is None:
            return pages


def test_pages_hold_every_entry_once_when_timestamps_tie_and_rows_vanish(db) -> None:
    a = db.client_a.id
    with session_scope() as session:
        made = [new_entry(session, owner_id=a, body=f"body {i}") for i in range(journal.PAGE_SIZE + 20)]
        # 30 entries written in the same instant, straddling the page boundary.
        same = utcnow() - timedelta(days=1)
        for entry_id in made[5:35]:
            session.exec(update(ClientItem).where(col(ClientItem.id) == entry_id).values(created_at=same))
    with session_scope() as session:
        pages = _walk(lambda cursor: journal.list_entries(session, owner_id=a, older_than=cursor))
    assert [len(page) for page in pages] == [50, 20]
    assert sorted(entry for page in pages for entry in page) == sorted(str(e) for e in made)

    # The last entry of page one is deleted before "Older entries": page two is unchanged.
    with session_scope() as session:
        first, cursor = journal.list_entries(session, owner_id=a)
        journal.delete_entry(session, owner_id=a, entry_id=uuid.UUID(first[-1].id))
    with session_scope() as session:
        older, _ = journal.list_entries(session, owner_id=a, older_than=cursor)
    assert [entry.id for entry in older] == pages[1]


def test_shared_entries_page_too_and_only_ever_hold_shared_ones(db) -> None:
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        made = [new_entry(session, owner_id=a, body=f"body {i}") for i in range(2 * journal.PAGE_SIZE + 2)]
        shared = made[::2]
        for entry_id in shared:
            share(session, owner_id=a, entry_id=entry_id, clinician_id=dr_a)
    with session_scope() as session:
        pages = _walk(
            lambda cursor: journal.list_shared_entries(
                session, clinician_id=dr_a, client_id=a, older_than=cursor
            )
        )
    assert [len(page) for page in pages] == [50, 1]
    assert [entry for page in pages for entry in page] == [str(e) for e in reversed(shared)]


def test_exactly_one_page_has_no_more(db) -> None:
    with session_scope() as session:
        for i in range(journal.PAGE_SIZE):
            new_entry(session, owner_id=db.client_a.id, body=f"body {i}")
    with session_scope() as session:
        items, more = journal.list_entries(session, owner_id=db.client_a.id)
    assert (len(items), more) == (50, None)


@pytest.mark.parametrize(
    "body",
    [
        "short",
        "word " * 20_000,  # long: the preview is cut with an ellipsis
        " " * 5_000 + "late start " * 30,  # the start is all whitespace
        "\n" * 559 + "x" * 200,  # the words begin just inside the start that is looked at
        "a" * 139 + " " * 600 + "tail",  # exactly at the limit, more after the gap
    ],
)
def test_previews_read_as_the_whole_body_collapsed_and_cut(body: str) -> None:
    flat = " ".join(body.split())
    expected = (
        flat if len(flat) <= journal.PREVIEW_LENGTH else flat[: journal.PREVIEW_LENGTH - 1].rstrip() + "…"
    )
    assert journal._preview(body) == expected


def test_list_entries_labels_shares_and_previews_long_bodies(db) -> None:
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        entry = new_entry(session, owner_id=a, body="word " * 100)
        share(session, owner_id=a, entry_id=entry, clinician_id=dr_a)
    with session_scope() as session:
        (summary,), _ = journal.list_entries(session, owner_id=a)
    assert summary.share_label == f"Shared with {db.clinician_a.name}"
    assert len(summary.preview) <= journal.PREVIEW_LENGTH
    assert summary.preview.endswith("…")


def test_double_save_with_the_same_id_makes_one_entry(db) -> None:
    a = db.client_a.id
    entry_id = uuid.uuid4()
    with session_scope() as session:
        journal.save_entry(session, owner_id=a, entry_id=entry_id, title="T", body="first")
    with session_scope() as session:
        journal.save_entry(session, owner_id=a, entry_id=entry_id, title="T", body="first")
    with session_scope() as session:
        journal.save_entry(session, owner_id=a, entry_id=entry_id, title="", body="edited")
    with session_scope() as session:
        counts = row_counts(session)
        assert (counts["client_item"], counts["journal_entry"]) == (1, 1)
        detail = journal.get_entry(session, owner_id=a, entry_id=entry_id)
        assert (detail.title, detail.body) == ("", "edited")
        assert detail.edited_on != ""


def test_drafts_round_trip_and_are_cleared_by_saving(db) -> None:
    a = db.client_a.id
    new_id, edit_id, empty_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with session_scope() as session:
        journal.save_entry(session, owner_id=a, entry_id=edit_id, title="Saved", body="saved")
        journal.save_draft(session, owner_id=a, entry_id=new_id, title="Half", body="half written")
        journal.save_draft(session, owner_id=a, entry_id=edit_id, title="Saved", body="changed")
        journal.save_draft(session, owner_id=a, entry_id=empty_id, title="", body="  ")
    with session_scope() as session:
        assert journal.get_draft(session, owner_id=a, entry_id=new_id) == ("Half", "half written")
        assert journal.get_draft(session, owner_id=a, entry_id=edit_id) == ("Saved", "changed")
        assert journal.get_draft(session, owner_id=a, entry_id=empty_id) == ("", "  ")
        assert journal.get_draft(session, owner_id=db.client_b.id, entry_id=new_id) is None
        assert journal.get_draft(session, owner_id=a, entry_id=uuid.uuid4()) is None
        listed = {d.id for d in journal.list_drafts(session, owner_id=a)}
        assert str(new_id) in listed
        assert str(empty_id) not in listed  # empty ones are skipped
        assert journal.list_drafts(session, owner_id=db.client_b.id) == []
        # The draft is not an entry until saved.
        assert [e.id for e in journal.list_entries(session, owner_id=a)[0]] == [str(edit_id)]
    with session_scope() as session:
        journal.save_draft(session, owner_id=a, entry_id=new_id, title="Half", body="now longer")
    with session_scope() as session:
        assert journal.get_draft(session, owner_id=a, entry_id=new_id) == ("Half", "now longer")
        assert row_counts(session)["draft"] == 3  # updated in place
        journal.save_entry(session, owner_id=a, entry_id=new_id, title="Half", body="now longer")
    with session_scope() as session:
        assert journal.get_draft(session, owner_id=a, entry_id=new_id) is None
        journal.discard_draft(session, owner_id=a, entry_id=empty_id)
    with session_scope() as session:
        assert journal.get_draft(session, owner_id=a, entry_id=empty_id) is None
        listed = {d.id for d in journal.list_drafts(session, owner_id=a)}
        assert str(new_id) not in listed
        assert str(empty_id) not in listed


def test_client_sees_only_their_own_entries(db) -> None:
    with session_scope() as session:
        mine = new_entry(session, owner_id=db.client_a.id, body="mine")
        new_entry(session, owner_id=db.client_b.id, body="theirs")
    with session_scope() as session:
        items, _ = journal.list_entries(session, owner_id=db.client_a.id)
        assert [e.id for e in items] == [str(mine)]
        assert journal.entry_exists(session, owner_id=db.client_a.id, entry_id=mine)
        assert not journal.entry_exists(session, owner_id=db.client_b.id, entry_id=mine)


def test_set_shared_returns_the_statuses_after_the_change(db) -> None:
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        link(session, client_id=a, clinician_id=dr_b)
        entry = new_entry(session, owner_id=a, body="statuses")
    for shared in (True, True, False, False):
        with session_scope() as session:
            statuses = sharing.set_shared(
                session,
                owner_id=a,
                item_id=entry,
                kind=ItemKind.JOURNAL_ENTRY,
                clinician_id=dr_a,
                shared=shared,
            )
        assert [(s.clinician_id, s.shared) for s in statuses] == [(str(dr_a), shared), (str(dr_b), False)]


@pytest.mark.parametrize("raw", ["not-a-uuid", None, 42, "x" * 36, ""])
def test_raw_malformed_ids_are_refused_and_audited_for_clinicians(db, scene, raw: object) -> None:
    before = len(_events())
    with pytest.raises(NotFound) as item, session_scope() as session:
        journal.read_shared_entry(session, clinician_id=db.clinician_a.id, entry_id=raw)
    with pytest.raises(NotFound) as listing, session_scope() as session:
        journal.list_shared_entries(session, clinician_id=db.clinician_a.id, client_id=raw)
    assert str(item.value) == str(listing.value) == str(NotFound())
    new = _events()[before:]
    assert [(e.action, e.outcome, e.actor_id, e.item_id) for e in new] == [
        (AuditAction.VIEW_SHARED_ITEM, AuditOutcome.DENIED, db.clinician_a.id, None),
        (AuditAction.VIEW_SHARED_LIST, AuditOutcome.DENIED, db.clinician_a.id, None),
    ]


def test_shared_entry_can_be_read_by_its_id_string(db, scene) -> None:
    assert _read(db.clinician_a.id, str(scene["shared"])).id == str(scene["shared"])  # type: ignore[arg-type]


def test_journal_page_has_entries_and_drafts_on_the_first_page_only(db) -> None:
    a = db.client_a.id
    with session_scope() as session:
        for i in range(journal.PAGE_SIZE + 1):
            new_entry(session, owner_id=a, body=f"body {i}")
        draft_id = uuid.uuid4()
        journal.save_draft(session, owner_id=a, entry_id=draft_id, title="", body="unsaved words")
    with session_scope() as session:
        entries, more, drafts = journal.journal_page(session, owner_id=a)
        assert (len(entries), [d.id for d in drafts]) == (50, [str(draft_id)])
        assert more is not None
        entries, more, drafts = journal.journal_page(session, owner_id=a, older_than=more)
        assert (len(entries), more, drafts) == (1, None, [])
