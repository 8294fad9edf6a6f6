"""Invitations, links, sharing, clinician reads, audit, journal listing and drafts.

AUTHN-8, AUTHZ-2/3/4/8, AUD-1/2/3, PRIV-2, INPUT-6, AVAIL-1/4.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import LargeBinary, String, Text, event, text
from sqlmodel import Session, col, select, update
from unit_support import audit_events, link, new_entry, row_counts, share

from betterjournal import views
from betterjournal.core import agenda, audit, drafts, items, journal, links, sharing
from betterjournal.core.errors import InvalidInput, NotFound
from betterjournal.crypto import DataKey
from betterjournal.db import get_engine, session_scope
from betterjournal.i18n import ENGLISH, FRENCH, Reader
from betterjournal.models import (
    AuditAction,
    AuditEvent,
    AuditOutcome,
    CareLink,
    ClientItem,
    Invitation,
    ItemShare,
    Role,
    Share,
    SharedItem,
    utcnow,
)

SECRET = "SECRET-CONTENT-4be1"


def _visible(clinician_id: uuid.UUID) -> set[uuid.UUID]:
    with session_scope() as session:
        return sharing.visible_item_ids(session, clinician_id=clinician_id)


def _read(clinician_id: uuid.UUID, entry_id: object) -> SharedItem:
    with session_scope() as session:
        return sharing.open_shared(session, clinician_id=clinician_id, item_id=entry_id, kind=journal.KIND)


def _shares(owner_id: uuid.UUID, entry_id: uuid.UUID) -> list[Share]:
    """What the owner sees of an entry's shares: one per linked clinician."""
    with session_scope() as session:
        return sharing.shares_of(session, owner_id=owner_id, item_ids=[entry_id])[entry_id]


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
    # No group of it either: the ending the clinician's list shows is sealed (AUTHN-8).
    groups = code.split("-")
    stored = [str(row.model_dump()) for row in rows]
    assert [g for g in groups if any(g in row for row in stored)] == []
    with session_scope() as session:
        oldest = links.pending_invitations(session, clinician_id=db.clinician_a.id)[-1]
    assert oldest.code_end == groups[-1]


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
        listed = sharing.list_shared(
            session, clinician_id=db.clinician_a.id, client_id=db.client_a.id, kind=journal.KIND
        )
        assert (listed.items, listed.older) == ([], None)
        assert row_counts(session)["item_share"] == 0
    assert [(s.clinician_name, s.shared_at) for s in _shares(db.client_a.id, entries[0])] == [
        (db.clinician_a.name, None)
    ]
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


def test_the_clinician_may_end_the_link_too_and_the_audit_names_them(db) -> None:
    """The work together ended: the clinician ends the link; every share to them is revoked
    at once (PRIV-2), and the audit rows are the clinician's. Another clinician can't end it."""
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        entries = [new_entry(session, owner_id=a, body=f"entry {i}") for i in range(2)]
        for entry in entries:
            share(session, owner_id=a, entry_id=entry, clinician_id=dr_a)
    before = len(_events())
    with session_scope() as session, pytest.raises(InvalidInput, match="that client"):
        links.end_link(session, client_id=a, clinician_id=dr_b, by_clinician=True)
    assert _visible(dr_a) == set(entries) and len(_events()) == before
    with session_scope() as session:
        links.end_link(session, client_id=a, clinician_id=dr_a, by_clinician=True)
    assert _visible(dr_a) == set()
    new = _events()[before:]
    assert sorted((e.action, e.actor_id) for e in new) == sorted(
        [(AuditAction.REVOKE, dr_a)] * 2 + [(AuditAction.UNLINK, dr_a)]
    )
    with session_scope() as session:
        assert links.linked_clinicians(session, client_id=a) == []


def test_an_ended_link_is_said_on_both_sides_for_a_month_and_by_whom(db) -> None:
    """Walk-through: once a link ended, the client's Care team read "not connected with a
    clinician yet", as if never linked, and the client vanished from the clinician's list.
    Each side is told who ended it and when, for 30 days; a pair linked again is not."""
    a, b, dr_a, dr_b = db.client_a, db.client_b, db.clinician_a, db.clinician_b
    with session_scope() as session:
        link(session, client_id=a.id, clinician_id=dr_a.id)
        link(session, client_id=a.id, clinician_id=dr_b.id)
        link(session, client_id=b.id, clinician_id=dr_a.id)
        links.end_link(session, client_id=a.id, clinician_id=dr_a.id, by_clinician=True)
        links.end_link(session, client_id=a.id, clinician_id=dr_b.id)
        links.end_link(session, client_id=b.id, clinician_id=dr_a.id)
        link(session, client_id=b.id, clinician_id=dr_a.id)  # linked again: nothing to say

    def ended(user_id: uuid.UUID, role: Role) -> list[tuple[str, bool | None]]:
        with session_scope() as session:
            return [(e.name, e.by_them) for e in links.ended_lately(session, user_id=user_id, role=role)]

    assert ended(a.id, Role.CLIENT) == [(dr_b.name, False), (dr_a.name, True)]  # newest first
    assert ended(dr_a.id, Role.CLINICIAN) == [(a.name, False)]
    assert ended(dr_b.id, Role.CLINICIAN) == [(a.name, True)]
    assert ended(b.id, Role.CLIENT) == []
    with session_scope() as session:
        found = links.ended_lately(session, user_id=a.id, role=Role.CLIENT)
    reader = Reader(FRENCH)
    day = reader.day(found[0].ended_at)
    assert views.ended_lines(found, reader) == [
        f"Vous avez mis fin à votre lien avec {dr_b.name} le {day}.",
        f"{dr_a.name} a mis fin à votre lien le {day}.",
    ]
    with session_scope() as session:  # a month on, it is no longer said
        session.exec(
            update(CareLink)
            .where(col(CareLink.client_id) == a.id, col(CareLink.clinician_id) == dr_b.id)
            .values(ended_at=utcnow() - links.ENDED_SHOWN_FOR - timedelta(minutes=1), ended_by_clinician=None)
        )
    assert ended(a.id, Role.CLIENT) == [(dr_a.name, True)]


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
        items.delete_item(session, owner_id=a, item_id=ids["deleted"])
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


def test_a_refusal_names_whose_record_was_tried(db) -> None:
    """AUD-1: a refused attempt's row says whose record it was, as an allowed one does: the
    client a clinician named, or the owner of the item tried (none for an id of nothing)."""
    from betterjournal.core import appointments, caseload, homework

    dr_a, a, b = db.clinician_a.id, db.client_a.id, db.client_b.id
    made_up = uuid.uuid4()
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        bs_entry = new_entry(session, owner_id=b, body="B's own words")
    today = utcnow().date()
    attempts = [
        (
            lambda s, c: caseload.brief(s, clinician_id=dr_a, client_id=str(c), today=today),
            "view_shared_list",
        ),
        (
            lambda s, c: homework.given_to(s, clinician_id=dr_a, client_id=str(c), today=today),
            "view_shared_list",
        ),
        (lambda s, c: appointments.unplan(s, clinician_id=dr_a, client_id=str(c)), "schedule"),
    ]
    for call, action in attempts:
        for client in (b, made_up):  # not linked; no one at all
            before = len(_events())
            with pytest.raises(NotFound), session_scope() as session:
                call(session, client)
            assert [(e.action, e.outcome, e.actor_id, e.subject_id) for e in _events()[before:]] == [
                (action, AuditOutcome.DENIED, dr_a, client)
            ]
    for item_id, owner in ((bs_entry, b), (made_up, None)):
        before = len(_events())
        with pytest.raises(NotFound):
            _read(dr_a, item_id)
        assert [(e.actor_id, e.subject_id, e.item_id) for e in _events()[before:]] == [(dr_a, owner, item_id)]


def test_an_allowed_read_is_audited_and_marks_the_share_seen(db, scene) -> None:
    dr_a, a = db.clinician_a.id, db.client_a.id
    before = len(_events())
    status = _shares(a, scene["shared"])
    assert [(s.clinician_name, s.shared_at is not None, s.seen_at) for s in status] == [
        (db.clinician_a.name, True, None),
        (db.clinician_b.name, False, None),
    ]
    entry = _read(dr_a, scene["shared"])
    assert (entry.id, entry.fields) == (scene["shared"], {"title": "Shared one", "body": f"{SECRET} shared"})
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
    assert _shares(a, scene["shared"])[0].seen_at == first_seen  # AUD-3: the client sees it was seen
    _read(dr_a, scene["shared"])  # a second view keeps the first "seen" time
    with session_scope() as session:
        again = session.get(ItemShare, share_row.id)
        assert again is not None
        assert again.first_seen_at == first_seen
    assert len(_events()) == before + 2


def test_shared_entry_holds_only_the_items_own_fields(db, scene) -> None:
    """AUTHZ-8: what the core hands over for a clinician, and what the browser is sent."""
    fields = {field.name for field in dataclasses.fields(SharedItem)}
    # `new`: whether this clinician had seen the share before (share state, no content);
    # `shared_changed_at`: the owner's last change to what the clinician sees, shown only when
    # later than the share ("edited"); never the owner's last save (a private field's).
    assert fields == {
        "id",
        "kind",
        "owner_id",
        "fields",
        "created_at",
        "shared_at",
        "new",
        "shared_changed_at",
    }
    assert set(_read(db.clinician_a.id, scene["shared"]).fields) == set(journal.KIND.shared_field_names)
    sent = {field.name for field in dataclasses.fields(views.SharedView)}
    # Whose it is (a linked client's id and name, which the clinician knows), "New", and
    # where it is read on its own (a page's address).
    assert sent == {"id", "title", "body", "dates", "shared_on", "new", "owner_id", "owner_name", "href"}


def test_revocation_takes_effect_on_the_next_read(db, scene) -> None:
    dr_a, a = db.clinician_a.id, db.client_a.id
    assert _read(dr_a, scene["shared"]).fields["body"] == f"{SECRET} shared"
    with session_scope() as session:
        share(session, owner_id=a, entry_id=scene["shared"], clinician_id=dr_a, shared=False)
    with pytest.raises(NotFound):
        _read(dr_a, scene["shared"])
    # Sharing again is a new share, not seen yet.
    with session_scope() as session:
        share(session, owner_id=a, entry_id=scene["shared"], clinician_id=dr_a)
    status = _shares(a, scene["shared"])
    assert (status[0].shared_at is not None, status[0].seen_at) == (True, None)


def test_made_private_after_it_was_seen_the_owner_is_still_told_when_it_was_seen(db, scene) -> None:
    """AUD-3 after a revoke (a walk-through: "Private" alone hid that the clinician had read
    it). Never seen before the revoke: plain "Private"; the link ended: nothing of it."""
    dr_a, a = db.clinician_a.id, db.client_a.id
    reader = Reader("en", "America/Toronto")
    _read(dr_a, scene["shared"])
    seen = _shares(a, scene["shared"])[0].seen_at
    assert seen is not None
    with session_scope() as session:
        share(session, owner_id=a, entry_id=scene["shared"], clinician_id=dr_a, shared=False)
    made_private = _shares(a, scene["shared"])[0]
    assert (made_private.shared_at, made_private.seen_at, made_private.seen_before) == (None, None, seen)
    assert views.share_lines([made_private], reader)[0].status == (
        f"Private: {db.clinician_a.name} can't see this any more. "
        f"They saw it on {reader.t('{seen}', seen=seen)}, while it was shared."
    )
    # Shared again and not opened since: not "Not seen yet" (they have read it): when, too.
    with session_scope() as session:
        share(session, owner_id=a, entry_id=scene["shared"], clinician_id=dr_a)
    again = _shares(a, scene["shared"])[0]
    assert (again.shared_at is not None, again.seen_at, again.seen_before) == (True, None, seen)
    assert views.share_lines([again], reader)[0].status == reader.t(
        "Shared with {name} again on {shared}. Not seen since; they saw it on {seen}.",
        name=db.clinician_a.name,
        shared=again.shared_at,
        seen=seen,
    )
    # Opened again: seen under this share, said as any share seen.
    _read(dr_a, scene["shared"])
    opened = _shares(a, scene["shared"])[0]
    assert opened.seen_at is not None and opened.seen_before is None
    assert views.share_lines([opened], reader)[0].status == reader.t(
        "Shared with {name} on {shared}. Seen on {seen}.",
        name=db.clinician_a.name,
        shared=opened.shared_at,
        seen=opened.seen_at,
    )
    # Shared, made private before it was opened: plain "Private".
    never_seen = _shares(a, scene["revoked"])[0]
    private = f"Private: {db.clinician_a.name} can't see this."
    assert views.share_lines([never_seen], reader)[0].status == private
    # The link ended and began again: nothing of before (re-linking revives nothing).
    with session_scope() as session:
        links.end_link(session, client_id=a, clinician_id=dr_a)
        link(session, client_id=a, clinician_id=dr_a)
    assert _shares(a, scene["shared"])[0].seen_before is None
    # Read from its own index alone: not every share the item ever had (a switch flipped a
    # thousand times), nor every share in the database.
    with session_scope() as session:
        connection = session.connection()
        statement = sharing._SEEN_BEFORE.params(owner_id=a, item_ids=[scene["shared"]])
        sql = statement.compile(connection, compile_kwargs={"literal_binds": True})
        plan = [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    shares_read = [line for line in plan if "item_share" in line]
    by_index = "COVERING INDEX ix_item_share_seen_ended"
    assert shares_read and all(by_index in line for line in shares_read), plan
    assert not [line for line in plan if line.startswith("SCAN item_share")], plan


def test_seen_is_said_of_what_was_seen_and_a_change_since_is_said_too(db, scene) -> None:
    """A walk-through: the client changed an entry the clinician had seen, and the page still
    said "Seen on …" of words nobody had seen. It says the change came after; once the
    clinician sees the item as it is now, "Seen on" is that moment."""
    dr_a, a = db.clinician_a.id, db.client_a.id
    reader = Reader("en", "America/Toronto")
    _read(dr_a, scene["shared"])
    first = _shares(a, scene["shared"])[0]
    assert first.seen_at is not None and first.changed_after_seen is None
    with session_scope() as session:
        items.save(
            session,
            owner_id=a,
            kind=journal.KIND,
            item_id=scene["shared"],
            values={"title": "Later", "body": "Also: I asked him, and the report was fine."},
        )
    changed = _shares(a, scene["shared"])[0]
    assert changed.seen_at == first.seen_at and changed.changed_after_seen is not None
    assert changed.changed_after_seen > first.seen_at
    assert views.share_lines([changed], reader)[0].status == reader.t(
        "Shared with {name} on {shared}. Seen on {seen}, before your changes of {changed}.",
        name=db.clinician_a.name,
        shared=changed.shared_at,
        seen=first.seen_at,
        changed=changed.changed_after_seen,
    )
    _read(dr_a, scene["shared"])  # the clinician opens it as it is now
    again = _shares(a, scene["shared"])[0]
    assert again.seen_at is not None and again.seen_at > changed.changed_after_seen
    assert again.changed_after_seen is None
    assert views.share_lines([again], reader)[0].status == reader.t(
        "Shared with {name} on {shared}. Seen on {seen}.",
        name=db.clinician_a.name,
        shared=again.shared_at,
        seen=again.seen_at,
    )


def test_no_content_when_the_audit_call_fails(db, scene, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", broken)
    monkeypatch.setattr(audit, "record_many", broken)
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


def test_content_is_decrypted_only_after_the_view_is_recorded(db, scene, monkeypatch) -> None:
    """Changed with the platform: the core no longer commits. The audit row and the "seen"
    mark are written in the caller's unit of work before any ciphertext is opened, and the
    content reaches the caller only when that unit commits (previously the core committed
    the audit row itself before decrypting)."""
    order: list[str] = []

    def statement(conn, cursor, sql: str, *args) -> None:
        if sql.lstrip().upper().startswith("INSERT INTO AUDIT_EVENT"):
            order.append("audit")
        elif sql.lstrip().upper().startswith("UPDATE ITEM_SHARE"):
            order.append("seen")

    @event.listens_for(Session, "after_commit")
    def committed(session) -> None:
        order.append("commit")

    real_open = DataKey.open

    def opening(self, *args):
        order.append("open")
        return real_open(self, *args)

    monkeypatch.setattr(DataKey, "open", opening)
    event.listen(get_engine(), "before_cursor_execute", statement)
    try:
        _read(db.clinician_a.id, scene["shared"])
    finally:
        event.remove(Session, "after_commit", committed)
        event.remove(get_engine(), "before_cursor_execute", statement)
    assert order.index("audit") < order.index("open")
    assert order.index("seen") < order.index("open")
    assert order[-1] == "commit"


def test_no_content_when_the_view_cannot_be_committed(db, scene) -> None:
    """AUD-2 at the unit of work: if the audit row and "seen" mark can't be committed, the
    caller gets no content (the core returns it to the unit, which then fails)."""

    def refuse(session) -> None:
        raise RuntimeError("commit failed")

    before = len(_events())
    result = None
    event.listen(Session, "before_commit", refuse)
    try:
        with pytest.raises(RuntimeError):
            result = _read(db.clinician_a.id, scene["shared"])
    finally:
        event.remove(Session, "before_commit", refuse)
    assert result is None
    assert len(_events()) == before
    with session_scope() as session:
        share_row = session.exec(
            select(ItemShare).where(ItemShare.item_id == scene["shared"], col(ItemShare.revoked_at).is_(None))
        ).one()
        assert share_row.first_seen_at is None


def test_list_shared_entries(db, scene) -> None:
    """Changed with the platform: a list shows content (previews), so it is audited as one
    VIEW_SHARED_ITEM row per item listed, and marks each listed item seen. It used to be one
    VIEW_SHARED_LIST row for the whole list, and listing marked nothing seen."""
    dr_a, dr_b, a, b = db.clinician_a.id, db.clinician_b.id, db.client_a.id, db.client_b.id
    before = len(_events())
    with session_scope() as session:
        listed = sharing.list_shared(session, clinician_id=dr_a, client_id=a, kind=journal.KIND)
    assert [e.id for e in listed.items] == [scene["shared"]]
    assert listed.older is None
    assert [(e.action, e.outcome, e.actor_id, e.subject_id, e.item_id) for e in _events()[before:]] == [
        (AuditAction.VIEW_SHARED_ITEM, AuditOutcome.ALLOWED, dr_a, a, scene["shared"])
    ]
    assert _shares(a, scene["shared"])[0].seen_at is not None
    assert _shares(a, scene["other_clinician"])[1].seen_at is None  # Dr. B listed nothing yet
    before = len(_events())
    with session_scope() as session:
        listed = sharing.list_shared(session, clinician_id=dr_b, client_id=b, kind=journal.KIND)
    assert [e.id for e in listed.items] == [scene["other_client"]]
    assert [(e.action, e.item_id) for e in _events()[before:]] == [
        (AuditAction.VIEW_SHARED_ITEM, scene["other_client"])
    ]
    before = len(_events())
    with pytest.raises(NotFound), session_scope() as session:
        sharing.list_shared(session, clinician_id=dr_a, client_id=b, kind=journal.KIND)  # not linked
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
        items.delete_item(session, owner_id=a, item_id=entry)
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
        drafts.save(
            session,
            owner_id=a,
            kind=journal.KIND,
            item_id=entry,
            values={"title": "", "body": "edit in progress"},
        )
    with session_scope() as session:
        assert items.delete_item(session, owner_id=a, item_id=entry) == (journal.KIND.name, [])
    with session_scope() as session:
        counts = row_counts(session)
        assert (counts["journal_entry"], counts["item_draft"]) == (0, 0)
        tombstone = session.get(ClientItem, entry)
        assert tombstone is not None
        assert tombstone.deleted_at is not None
        page = items.list_own(session, owner_id=a, kind=journal.KIND)
        assert (page.items, page.older) == ([], None)
    values = {"title": "", "body": "reuse id"}
    calls = (
        (lambda s: items.open_own(s, owner_id=a, kind=journal.KIND, item_id=entry), AuditAction.VIEW_ITEM),
        (lambda s: items.delete_item(s, owner_id=a, item_id=entry), AuditAction.DELETE),
        (
            lambda s: items.save(s, owner_id=a, kind=journal.KIND, item_id=entry, values=values),
            AuditAction.WRITE_ITEM,
        ),
        (
            lambda s: drafts.save(s, owner_id=a, kind=journal.KIND, item_id=entry, values=values),
            AuditAction.WRITE_ITEM,
        ),
    )
    for call, action in calls:
        before = len(_events())
        with pytest.raises(NotFound), session_scope() as session:
            call(session)
        # New with the platform: the owner's refused attempts are audited too.
        assert [(e.action, e.outcome, e.actor_id, e.item_id) for e in _events()[before:]] == [
            (action, AuditOutcome.DENIED, a, entry)
        ]


# --- the client's own journal ---------------------------------------------------------


def _list_own(owner_id: uuid.UUID, older=None):
    with session_scope() as session:
        return items.list_own(session, owner_id=owner_id, kind=journal.KIND, older=older)


def test_list_entries_pages_of_fifty_newest_first(db) -> None:
    a = db.client_a.id
    total = 2 * items.PAGE_SIZE + 1
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
            page = items.list_own(session, owner_id=a, kind=journal.KIND, older=cursor)
            pages.append(page.items)
            cursor = page.older
            if cursor is None:
                break
        assert items.list_own(session, owner_id=a, kind=journal.KIND).items == pages[0]
    assert [len(page) for page in pages] == [50, 50, 1]
    ids = [entry.id for page in pages for entry in page]
    assert ids == list(reversed(made))
    first = views.own_card(pages[0][0], Reader())
    assert (first.title, first.preview, first.label) == (
        f"Entry {total - 1}",
        f"body {total - 1}",
        "Private",
    )


def _walk(read) -> list[list[uuid.UUID]]:
    """Every page of a newest-first list, following its cursors."""
    pages, cursor = [], None
    while True:
        page = read(cursor)
        pages.append([item.id for item in page.items])
        cursor = page.older
        if cursor is None:
            return pages


def test_pages_hold_every_entry_once_when_timestamps_tie_and_rows_vanish(db) -> None:
    a = db.client_a.id
    with session_scope() as session:
        made = [new_entry(session, owner_id=a, body=f"body {i}") for i in range(items.PAGE_SIZE + 20)]
        # 30 entries written in the same instant, straddling the page boundary.
        same = utcnow() - timedelta(days=1)
        for entry_id in made[5:35]:
            session.exec(update(ClientItem).where(col(ClientItem.id) == entry_id).values(created_at=same))
    with session_scope() as session:
        pages = _walk(lambda cursor: items.list_own(session, owner_id=a, kind=journal.KIND, older=cursor))
    assert [len(page) for page in pages] == [50, 20]
    assert sorted(entry for page in pages for entry in page) == sorted(made)

    # The last entry of page one is deleted before "Older entries": page two is unchanged.
    with session_scope() as session:
        first = items.list_own(session, owner_id=a, kind=journal.KIND)
        items.delete_item(session, owner_id=a, item_id=first.items[-1].id)
    assert [entry.id for entry in _list_own(a, first.older).items] == pages[1]


def test_shared_entries_page_too_and_only_ever_hold_shared_ones(db) -> None:
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        made = [new_entry(session, owner_id=a, body=f"body {i}") for i in range(2 * items.PAGE_SIZE + 2)]
        shared = made[::2]
        for entry_id in shared:
            share(session, owner_id=a, entry_id=entry_id, clinician_id=dr_a)
    with session_scope() as session:
        pages = _walk(
            lambda cursor: sharing.list_shared(
                session, clinician_id=dr_a, client_id=a, kind=journal.KIND, older=cursor
            )
        )
    assert [len(page) for page in pages] == [50, 1]
    assert [entry for page in pages for entry in page] == list(reversed(shared))


def test_exactly_one_page_has_no_more(db) -> None:
    with session_scope() as session:
        for i in range(items.PAGE_SIZE):
            new_entry(session, owner_id=db.client_a.id, body=f"body {i}")
    page = _list_own(db.client_a.id)
    assert (len(page.items), page.older) == (50, None)


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
    expected = flat if len(flat) <= views.PREVIEW_LENGTH else flat[: views.PREVIEW_LENGTH - 1].rstrip() + "…"
    assert views.preview(body) == expected


def test_list_entries_labels_shares_and_previews_long_bodies(db) -> None:
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        entry = new_entry(session, owner_id=a, body="word " * 100)
        share(session, owner_id=a, entry_id=entry, clinician_id=dr_a)
    (item,) = _list_own(a).items
    assert item.shared_with == (db.clinician_a.name,)
    summary = views.own_card(item, Reader())
    assert summary.label == f"Shared with {db.clinician_a.name}"
    assert len(summary.preview) <= views.PREVIEW_LENGTH
    assert summary.preview.endswith("…")


def test_the_owners_list_says_who_has_seen_each_shared_item(db) -> None:
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    names = f"{db.clinician_a.name}, {db.clinician_b.name}"
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        link(session, client_id=a, clinician_id=dr_b)
        entry = new_entry(session, owner_id=a, body="seen or not")
        for clinician in (dr_a, dr_b):
            share(session, owner_id=a, entry_id=entry, clinician_id=clinician)

    def label() -> str:
        (item,) = _list_own(a).items
        return views.own_card(item, Reader()).label

    assert label() == f"Shared with {names}"
    with session_scope() as session:
        sharing.open_shared(session, clinician_id=dr_b, item_id=entry, kind=journal.KIND)
    assert label() == f"Shared with {names} · Seen by {db.clinician_b.name}"
    with session_scope() as session:
        sharing.open_shared(session, clinician_id=dr_a, item_id=entry, kind=journal.KIND)
    assert label() == f"Shared with {names} · Seen"
    # Changed since: the card no longer says "Seen" of words nobody has seen (walk-through
    # 14 M1); the clinician who opens it as it is has seen it again.
    _save(a, entry, "", "seen or not, and then some")
    assert label() == f"Shared with {names}"
    with session_scope() as session:
        sharing.open_shared(session, clinician_id=dr_a, item_id=entry, kind=journal.KIND)
    assert label() == f"Shared with {names} · Seen by {db.clinician_a.name}"
    with session_scope() as session:  # revoked from one: only who sees it now counts
        sharing.set_shared(session, owner_id=a, item_id=entry, clinician_id=dr_b, shared=False)
    assert label() == f"Shared with {db.clinician_a.name} · Seen"


def _save(owner_id: uuid.UUID, entry_id: object, title: str, body: str) -> bool:
    with session_scope() as session:
        return items.save(
            session,
            owner_id=owner_id,
            kind=journal.KIND,
            item_id=entry_id,
            values={"title": title, "body": body},
        )


def _save_draft(session: Session, owner_id: uuid.UUID, entry_id: object, title: str, body: str) -> None:
    drafts.save(
        session, owner_id=owner_id, kind=journal.KIND, item_id=entry_id, values={"title": title, "body": body}
    )


def _draft(owner_id: uuid.UUID, entry_id: uuid.UUID) -> dict[str, str] | None:
    with session_scope() as session:
        draft = drafts.get(session, owner_id=owner_id, item_id=entry_id)
    return None if draft is None else draft.fields


def test_double_save_with_the_same_id_makes_one_entry(db) -> None:
    a = db.client_a.id
    entry_id = uuid.uuid4()
    assert _save(a, entry_id, "T", "first") is True
    assert _save(a, entry_id, "T", "first") is False
    assert _save(a, entry_id, "", "edited") is False
    with session_scope() as session:
        counts = row_counts(session)
        assert (counts["client_item"], counts["journal_entry"]) == (1, 1)
        detail = items.open_own(session, owner_id=a, kind=journal.KIND, item_id=entry_id)
    assert detail.fields == {"title": "", "body": "edited"}
    assert detail.updated_at > detail.created_at


def test_drafts_round_trip_and_are_cleared_by_saving(db) -> None:
    a = db.client_a.id
    new_id, edit_id, empty_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with session_scope() as session:
        items.save(
            session,
            owner_id=a,
            kind=journal.KIND,
            item_id=edit_id,
            values={"title": "Saved", "body": "saved"},
        )
        _save_draft(session, a, new_id, "Half", "half written")
        _save_draft(session, a, edit_id, "Saved", "changed")
        _save_draft(session, a, empty_id, "", "  ")
    assert _draft(a, new_id) == {"title": "Half", "body": "half written"}
    assert _draft(a, edit_id) == {"title": "Saved", "body": "changed"}
    assert _draft(a, empty_id) == {"title": "", "body": "  "}
    assert _draft(db.client_b.id, new_id) is None
    assert _draft(a, uuid.uuid4()) is None
    with session_scope() as session:
        listed = {d.item_id for d in drafts.list_new(session, owner_id=a, kind=journal.KIND)}
        assert new_id in listed
        assert empty_id not in listed  # empty ones are skipped
        assert drafts.list_new(session, owner_id=db.client_b.id, kind=journal.KIND) == []
    # The draft is not an entry until saved.
    assert [e.id for e in _list_own(a).items] == [edit_id]
    with session_scope() as session:
        _save_draft(session, a, new_id, "Half", "now longer")
    assert _draft(a, new_id) == {"title": "Half", "body": "now longer"}
    with session_scope() as session:
        assert row_counts(session)["item_draft"] == 3  # updated in place
    assert _save(a, new_id, "Half", "now longer") is True
    assert _draft(a, new_id) is None
    with session_scope() as session:
        drafts.discard(session, owner_id=a, item_id=empty_id)
    assert _draft(a, empty_id) is None
    with session_scope() as session:
        listed = {d.item_id for d in drafts.list_new(session, owner_id=a, kind=journal.KIND)}
    assert new_id not in listed
    assert empty_id not in listed


def test_discard_copies_removes_only_new_drafts_holding_exactly_the_saved_words(db) -> None:
    a, b = db.client_a.id, db.client_b.id
    copy, other, of_saved, elsewhere = (uuid.uuid4() for _ in range(4))
    with session_scope() as session:
        saved = {"title": "T", "body": "x"}
        items.save(session, owner_id=a, kind=journal.KIND, item_id=of_saved, values=saved)
        _save_draft(session, a, copy, "T", "the words")  # a copy kept apart: goes
        _save_draft(session, a, other, "T", "the words, and more")  # other words: stays
        _save_draft(session, a, of_saved, "T", "the words")  # changes to a saved entry: stay
        _save_draft(session, b, elsewhere, "T", "the words")  # someone else's: stays
        words = {"title": "T", "body": "the words"}
        drafts.discard_copies(session, owner_id=a, kind=journal.KIND, values=words)
    assert _draft(a, copy) is None
    assert _draft(a, other) == {"title": "T", "body": "the words, and more"}
    assert _draft(a, of_saved) == {"title": "T", "body": "the words"}
    assert _draft(b, elsewhere) == {"title": "T", "body": "the words"}


def test_client_sees_only_their_own_entries(db) -> None:
    with session_scope() as session:
        mine = new_entry(session, owner_id=db.client_a.id, body="mine")
        new_entry(session, owner_id=db.client_b.id, body="theirs")
    assert [e.id for e in _list_own(db.client_a.id).items] == [mine]
    with session_scope() as session:
        assert items.item_exists(
            session, owner_id=db.client_a.id, kind=journal.KIND, item_id=mine, action=AuditAction.VIEW_ITEM
        )
    with pytest.raises(NotFound), session_scope() as session:
        items.open_own(session, owner_id=db.client_b.id, kind=journal.KIND, item_id=mine)


def test_set_shared_returns_the_statuses_after_the_change(db) -> None:
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        link(session, client_id=a, clinician_id=dr_b)
        entry = new_entry(session, owner_id=a, body="statuses")
    done = [False]
    for shared in (True, True, False, False):
        with session_scope() as session:
            statuses, changed = sharing.set_shared(
                session, owner_id=a, item_id=entry, clinician_id=dr_a, shared=shared
            )
        assert [(s.clinician_id, s.shared_at is not None) for s in statuses] == [
            (dr_a, shared),
            (dr_b, False),
        ]
        assert changed is (shared != done[-1])  # idempotent: the second of each changes nothing
        done.append(shared)


@pytest.mark.parametrize("raw", ["not-a-uuid", None, 42, "x" * 36, ""])
def test_raw_malformed_ids_are_refused_and_audited_for_clinicians(db, scene, raw: object) -> None:
    before = len(_events())
    with pytest.raises(NotFound) as item, session_scope() as session:
        sharing.open_shared(session, clinician_id=db.clinician_a.id, item_id=raw, kind=journal.KIND)
    with pytest.raises(NotFound) as listing, session_scope() as session:
        sharing.list_shared(session, clinician_id=db.clinician_a.id, client_id=raw, kind=journal.KIND)
    assert str(item.value) == str(listing.value) == str(NotFound())
    new = _events()[before:]
    assert [(e.action, e.outcome, e.actor_id, e.item_id) for e in new] == [
        (AuditAction.VIEW_SHARED_ITEM, AuditOutcome.DENIED, db.clinician_a.id, None),
        (AuditAction.VIEW_SHARED_LIST, AuditOutcome.DENIED, db.clinician_a.id, None),
    ]


def test_shared_entry_can_be_read_by_its_id_string(db, scene) -> None:
    assert _read(db.clinician_a.id, str(scene["shared"])).id == scene["shared"]


def test_journal_page_has_entries_and_drafts_on_the_first_page_only(db) -> None:
    """The journal page (state/journal.py) shows drafts with its first page only; the core
    gives it the two pieces: a page of entries, and the unsaved drafts."""
    a = db.client_a.id
    with session_scope() as session:
        for i in range(items.PAGE_SIZE + 1):
            new_entry(session, owner_id=a, body=f"body {i}")
        draft_id = uuid.uuid4()
        _save_draft(session, a, draft_id, "", "unsaved words")
    with session_scope() as session:
        first = items.list_own(session, owner_id=a, kind=journal.KIND)
        new = drafts.list_new(session, owner_id=a, kind=journal.KIND)
        assert (len(first.items), [d.item_id for d in new]) == (50, [draft_id])
        assert views.draft_card(new[0], Reader()).preview == "unsaved words"
        assert first.older is not None
        older = items.list_own(session, owner_id=a, kind=journal.KIND, older=first.older)
        assert (len(older.items), older.older) == (1, None)


def test_an_untitled_entry_has_one_name_in_the_list_its_draft_and_for_the_clinician(db) -> None:
    """Named by when it was written, for its owner and the clinician alike (each in their
    own words and zone): not "Today's entry" in one place and "Untitled entry" in another;
    and two of one day by their times."""
    a, dr_a = db.client_a.id, db.clinician_a.id
    written = datetime.now(UTC) - timedelta(days=3)
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        saved = new_entry(session, owner_id=a, body="words")
        session.exec(update(ClientItem).where(col(ClientItem.id) == saved).values(created_at=written))
        share(session, owner_id=a, entry_id=saved, clinician_id=dr_a)
        _save_draft(session, a, saved, "", "changed words")  # an edit of it, not saved yet
        _save_draft(session, a, uuid.uuid4(), "", "new words")  # a new one, started now
    reader = Reader()
    named = f"Entry of {reader.day(written)}, {reader.time(written)}"
    with session_scope() as session:
        own = items.list_own(session, owner_id=a, kind=journal.KIND).items
        new = {d.fields["body"]: d for d in drafts.list_new(session, owner_id=a, kind=journal.KIND)}
        shared = sharing.list_shared(session, clinician_id=dr_a, client_id=a, kind=journal.KIND).items
    assert views.own_card(own[0], reader).title == named
    assert views.draft_card(new["changed words"], reader).title == named
    assert views.shared_card(shared[0], reader).title == named
    started = new["new words"].updated_at
    assert views.draft_card(new["new words"], reader).title == f"Today's entry, {reader.time(started)}"
    french = Reader(FRENCH)
    assert views.shared_card(shared[0], french).title == french.t(
        "Entry of {day}, {time}", day=french.day(written), time=french.time(written)
    )
    titled = SharedItem(uuid.uuid4(), journal.KIND.name, a, {"title": "Walk", "body": ""}, written, written)
    assert views.shared_view(titled, reader).title == "Walk"
    # The same name on an agenda (the client's, the clinician's brief, the paper summary's list)
    # and in the pin menu: a walk-through read "Entry: words…" there, for the same entry.
    pin = agenda.Line("1", pin=journal.KIND.name, item_id=str(saved))
    for item in (own[0], shared[0]):
        pinned = views.Pinned(item.kind, item.fields, item.created_at)
        assert views.agenda_line_text(pin, pinned, reader) == named
        assert views.agenda_line_text(pin, pinned, reader, clinician=True) == named
    assert [choice.label for choice in views.pin_choices(own, reader)] == [named]
    with_title = views.Pinned(titled.kind, titled.fields, written)
    assert views.agenda_line_text(pin, with_title, reader) == "Entry: Walk"


def test_the_clinician_is_told_of_an_edit_since_the_share_and_only_of_that() -> None:
    written = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    shared = written + timedelta(days=1)

    def dates(changed_at: datetime) -> str:
        item = SharedItem(
            uuid.uuid4(), journal.KIND.name, uuid.uuid4(), {"title": "", "body": ""}, written, shared
        )
        return views.shared_view(dataclasses.replace(item, shared_changed_at=changed_at), Reader()).dates

    assert " · edited " not in dates(written + timedelta(hours=2))  # before it was shared
    assert dates(shared + timedelta(hours=1)).endswith(" · edited Dec 1, 2026, 11:00\u202fa.m.")


def test_a_draft_written_elsewhere_since_is_kept_apart_not_written_over(db) -> None:
    """Found in a walk-through: one entry open on a phone and a laptop; each tab's autosave
    wrote over the other's draft, so the words the phone had shown as "Draft saved" were
    gone. A tab now says which draft it last saw: one written since is first kept as a
    draft of its own (the journal lists it), then the tab's words are written."""
    a = db.client_a.id
    entry = uuid.uuid4()

    def autosave(body: str, seen: object = drafts.ANYONES, known: str | None = None) -> drafts.Saved:
        with session_scope() as session:
            return drafts.save(
                session,
                owner_id=a,
                kind=journal.KIND,
                item_id=entry,
                values={"title": "", "body": body},
                seen=seen,
                known=None if known is None else {"title": "", "body": known},
            )

    phone = autosave("ALPHA from the phone", None)  # both tabs opened with no draft
    assert phone.set_aside is None
    phone = autosave("ALPHA from the phone, more", phone.at)  # its own draft: written over
    assert phone.set_aside is None
    laptop = autosave("BRAVO from the laptop", None)
    assert laptop.set_aside is not None
    assert _draft(a, laptop.set_aside) == {"title": "", "body": "ALPHA from the phone, more"}
    assert _draft(a, entry) == {"title": "", "body": "BRAVO from the laptop"}
    phone = autosave("ALPHA again", phone.at)  # the phone wakes up: the laptop's words are kept too
    assert phone.set_aside is not None and phone.set_aside != laptop.set_aside
    assert _draft(a, phone.set_aside) == {"title": "", "body": "BRAVO from the laptop"}
    with session_scope() as session:
        listed = {d.item_id: d.kept_apart for d in drafts.list_new(session, owner_id=a, kind=journal.KIND)}
    # The copies are told from the draft they were kept apart from (a walk-through: one title twice).
    assert {item: listed.get(item) for item in (laptop.set_aside, phone.set_aside, entry)} == {
        laptop.set_aside: True,
        phone.set_aside: True,
        entry: False,
    }
    with session_scope() as session:  # and a copy written on stays a copy
        drafts.save(session, owner_id=a, kind=journal.KIND, item_id=laptop.set_aside, values={"body": "more"})
        (copy,) = [
            d
            for d in drafts.list_new(session, owner_id=a, kind=journal.KIND)
            if d.item_id == laptop.set_aside
        ]
    assert copy.kept_apart and copy.fields["body"] == "more"
    assert views.draft_card(copy, Reader(ENGLISH, "UTC")).label == "Draft kept from another tab or device"
    # The phone's own words sent twice (its websocket, and its beacon as it was hidden, which
    # says no "seen"): the second is no one else's, so nothing is set aside.
    autosave("ALPHA again, then hidden")  # the beacon
    after = autosave("ALPHA again, then hidden, and more", phone.at, known="ALPHA again, then hidden")
    assert after.set_aside is None
    assert _draft(a, entry) == {"title": "", "body": "ALPHA again, then hidden, and more"}


def test_stop_sharing_everything_revokes_every_share_to_one_clinician_and_keeps_the_link(db) -> None:
    """PRIV-2: "Stop sharing everything" (found missing by an attack review: only ending the
    link did it). Each revoke is audited as the client's; another clinician keeps theirs."""
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        link(session, client_id=a, clinician_id=dr_b)
        entries = [new_entry(session, owner_id=a, body=f"entry {i}") for i in range(3)]
        for entry in entries:
            share(session, owner_id=a, entry_id=entry, clinician_id=dr_a)
        share(session, owner_id=a, entry_id=entries[0], clinician_id=dr_b)
    before = len(_events())
    with session_scope() as session:
        links.stop_sharing_everything(session, client_id=a, clinician_id=dr_a)
    assert _visible(dr_a) == set() and _visible(dr_b) == {entries[0]}
    new = _events()[before:]
    assert sorted((e.action, e.actor_id, e.item_id) for e in new) == sorted(
        (AuditAction.REVOKE, a, entry) for entry in entries
    )
    with session_scope() as session:
        assert {p.id for p in links.linked_clinicians(session, client_id=a)} == {str(dr_a), str(dr_b)}
        with pytest.raises(InvalidInput):
            links.stop_sharing_everything(session, client_id=db.client_b.id, clinician_id=dr_a)  # not linked
