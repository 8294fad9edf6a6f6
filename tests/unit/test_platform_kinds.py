"""The item platform, for every registered kind: journal entries and a test-only "note".

Each test runs once per kind in `items.registered()` and takes the kind's field names from
the Kind, so a new kind is covered by registering it. The note (tests/unit/note_kind.py)
has a field declared `shared=False`, which proves AUTHZ-8 with something to prove.

AUTHZ-2/3/4/7/8, AUD-1/2/3, PRIV-2, INPUT-6, AVAIL-1/4.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from note_kind import NOTE, create_note_table
from sqlalchemy import event
from sqlmodel import Session, col, select, update
from unit_support import (
    AuditRow,
    audit_events,
    audit_rows,
    every_kind,
    link,
    new_item,
    row_counts,
    text_fields,
    values_for,
)

from betterjournal.core import drafts, items, journal, links, sharing
from betterjournal.core.errors import Denied, EditedElsewhere, InvalidInput, NotFound
from betterjournal.crypto import DataKey
from betterjournal.db import get_engine, session_scope
from betterjournal.models import (
    AuditAction,
    AuditOutcome,
    ClientItem,
    ItemDraft,
    ItemShare,
    SharedItem,
    Version,
    utcnow,
)

SECRET = "PLATFORM-SECRET-51c2"
KINDS = every_kind()
assert {kind.name for kind in KINDS} >= {journal.KIND.name, NOTE.name}

ALLOWED, DENIED = AuditOutcome.ALLOWED, AuditOutcome.DENIED
A_NOT_FOUND = str(NotFound())


@pytest.fixture(params=KINDS, ids=[kind.name for kind in KINDS])
def kind(request: pytest.FixtureRequest, db) -> items.Kind:
    """The kind under test, with the note's table in this test's database."""
    create_note_table(get_engine())
    return request.param


@pytest.fixture
def other_kind(kind: items.Kind) -> items.Kind:
    return next(k for k in KINDS if k is not kind)


def _table(kind: items.Kind) -> str:
    """The kind's own table, as its encrypted columns name it."""
    (table,) = {table for table, _ in kind.columns.values()}
    return table


def _tables(kind: items.Kind) -> tuple[str, ...]:
    return ("client_item", _table(kind), "item_draft", "item_share")


def _counts(kind: items.Kind) -> dict[str, int]:
    with session_scope() as session:
        return row_counts(session, _tables(kind))


def _audit_count() -> int:
    with session_scope() as session:
        return len(audit_events(session))


def _audit_since(before: int) -> list[AuditRow]:
    with session_scope() as session:
        return audit_rows(audit_events(session)[before:])


def _visible(clinician_id: uuid.UUID) -> set[uuid.UUID]:
    with session_scope() as session:
        return sharing.visible_item_ids(session, clinician_id=clinician_id)


def _share(owner_id: uuid.UUID, item_id: Any, clinician_id: uuid.UUID, shared: bool = True) -> list:
    """The item's shares after the change."""
    with session_scope() as session:
        return sharing.set_shared(
            session, owner_id=owner_id, item_id=item_id, clinician_id=clinician_id, shared=shared
        )[0]


def _open_shared(clinician_id: uuid.UUID, item_id: Any, kind: items.Kind) -> SharedItem:
    with session_scope() as session:
        return sharing.open_shared(session, clinician_id=clinician_id, item_id=item_id, kind=kind)


def _list_shared(clinician_id: uuid.UUID, client_id: Any, kind: items.Kind, older=None):
    with session_scope() as session:
        return sharing.list_shared(
            session, clinician_id=clinician_id, client_id=client_id, kind=kind, older=older
        )


def _seen(item_id: uuid.UUID) -> dict[uuid.UUID, bool]:
    """Per clinician with an active share row of the item: whether it was seen."""
    with session_scope() as session:
        rows = session.exec(
            select(ItemShare.clinician_id, ItemShare.first_seen_at).where(
                ItemShare.item_id == item_id, col(ItemShare.revoked_at).is_(None)
            )
        ).all()
    return {clinician: seen_at is not None for clinician, seen_at in rows}


def _shared_values(kind: items.Kind, values: dict[str, str]) -> dict[str, str]:
    return {name: values[name] for name in kind.shared_field_names}


def _refused_and_audited(call: Callable[[Session], object], expected: AuditRow) -> NotFound:
    """`call` is refused with the one NotFound, and exactly one DENIED row is written."""
    before = _audit_count()
    with pytest.raises(NotFound) as caught, session_scope() as session:
        call(session)
    assert isinstance(caught.value, Denied)
    assert str(caught.value) == A_NOT_FOUND
    assert _audit_since(before) == [expected]
    return caught.value


# --- the owner's own items ----------------------------------------------------------------


def test_a_kind_with_a_private_field_is_registered() -> None:
    """Without it, the AUTHZ-8 tests below would have nothing to prove."""
    assert any(not f.shared for kind in KINDS for f in kind.fields)
    assert NOTE.shared_field_names == ("text",)


def test_save_and_open_own(db, kind: items.Kind) -> None:
    a = db.client_a.id
    item_id = uuid.uuid4()
    first, edited = values_for(kind, "first"), values_for(kind, "edited")
    with session_scope() as session:
        assert items.save(session, owner_id=a, kind=kind, item_id=item_id, values=first) is True
    with session_scope() as session:
        created = items.open_own(session, owner_id=a, kind=kind, item_id=item_id)
    assert (created.id, created.kind, created.fields) == (item_id, kind.name, first)
    assert created.created_at == created.updated_at
    # A double submit (same id, same words) is one item; then an edit.
    with session_scope() as session:
        assert items.save(session, owner_id=a, kind=kind, item_id=item_id, values=first) is False
    with session_scope() as session:
        assert items.save(session, owner_id=a, kind=kind, item_id=str(item_id), values=edited) is False
    with session_scope() as session:
        shown = items.open_own(session, owner_id=a, kind=kind, item_id=str(item_id))
        (listed,) = items.list_own(session, owner_id=a, kind=kind).items
    assert set(shown.fields) == set(kind.field_names)
    assert (shown.fields, shown.created_at) == (edited, created.created_at)
    assert shown.updated_at > created.updated_at
    assert (listed.id, listed.fields, listed.shared_with) == (item_id, edited, ())
    assert _counts(kind) == {"client_item": 1, _table(kind): 1, "item_draft": 0, "item_share": 0}
    with session_scope() as session:
        assert items.list_own(session, owner_id=db.client_b.id, kind=kind).items == []


def test_a_save_on_a_version_saved_over_since_changes_nothing(db, kind: items.Kind) -> None:
    """An editor saves `based_on` the version it opened: if the item was saved since with
    other words (another device), nothing is written; the same words are one save. An editor
    opened on an item not saved yet finds it saved by another tab in the meantime: the same."""
    a = db.client_a.id
    item_id = uuid.uuid4()
    first, theirs, mine = values_for(kind, "first"), values_for(kind, "theirs"), values_for(kind, "mine")
    with session_scope() as session:
        items.save(session, owner_id=a, kind=kind, item_id=item_id, values=first)
        opened = items.version(session, item_id=item_id)
        drafts.save(session, owner_id=a, kind=kind, item_id=item_id, values=mine)
    assert opened.updated_at is not None
    with session_scope() as session:
        items.save(session, owner_id=a, kind=kind, item_id=item_id, values=theirs, based_on=opened)
    with session_scope() as session:
        saved_over = items.version(session, item_id=item_id)
    if not text_fields(kind):  # a kind of fixed values only: "mine" are "theirs", one save
        with session_scope() as session:
            assert (
                items.save(session, owner_id=a, kind=kind, item_id=item_id, values=mine, based_on=opened)
                is False
            )
        return
    with pytest.raises(EditedElsewhere), session_scope() as session:
        items.save(session, owner_id=a, kind=kind, item_id=item_id, values=mine, based_on=opened)
    with session_scope() as session:
        kept = items.open_own(session, owner_id=a, kind=kind, item_id=item_id)
        assert (kept.fields, items.version(session, item_id=item_id)) == (theirs, saved_over)
        # Their words again, on the old version: already saved as they are.
        assert (
            items.save(session, owner_id=a, kind=kind, item_id=item_id, values=theirs, based_on=opened)
            is False
        )
    with session_scope() as session:
        assert items.version(session, item_id=item_id) == saved_over  # nothing touched it
    assert _counts(kind)["item_draft"] == 0  # the save that was kept cleared the draft
    never_saved = Version(None)
    with pytest.raises(EditedElsewhere), session_scope() as session:
        items.save(session, owner_id=a, kind=kind, item_id=item_id, values=mine, based_on=never_saved)
    fresh = uuid.uuid4()
    with session_scope() as session:
        assert items.save(session, owner_id=a, kind=kind, item_id=fresh, values=mine, based_on=never_saved)
    # Deleted elsewhere after this editor opened it: refused too (not brought back), and
    # said so; nothing is written over the tombstone.
    with session_scope() as session:
        opened = items.version(session, item_id=fresh)
        items.delete_item(session, owner_id=a, item_id=fresh)
    with pytest.raises(EditedElsewhere) as refused, session_scope() as session:
        items.save(session, owner_id=a, kind=kind, item_id=fresh, values=theirs, based_on=opened)
    assert refused.value.deleted is True
    with pytest.raises(NotFound), session_scope() as session:
        items.open_own(session, owner_id=a, kind=kind, item_id=fresh)


def test_several_own_items_open_in_one_query_and_anyone_elses_is_refused(db, kind: items.Kind) -> None:
    a, b = db.client_a.id, db.client_b.id
    with session_scope() as session:
        first, second = (new_item(session, kind=kind, owner_id=a, text=t) for t in ("first", "second"))
        theirs = new_item(session, kind=kind, owner_id=b, text="theirs")
    with session_scope() as session:
        opened = items.open_own_many(session, owner_id=a, kind=kind, item_ids=[second, str(first), second])
    assert [(item.id, item.fields) for item in opened] == [
        (second, values_for(kind, "second")),
        (first, values_for(kind, "first")),
    ]
    for refused in ([first, theirs], [first, "not-an-id"], [first, uuid.uuid4()]):
        with pytest.raises(Denied), session_scope() as session:
            items.open_own_many(session, owner_id=a, kind=kind, item_ids=refused)
    with session_scope() as session:
        denied = [e for e in audit_events(session) if e.outcome == DENIED]
    assert [(e.actor_id, e.action) for e in denied] == [(a, AuditAction.VIEW_ITEM)] * 3


def test_fields_are_exactly_the_kinds_and_owner_comes_from_the_session(db, kind: items.Kind) -> None:
    """AUTHZ-7: a payload naming anything but the kind's fields is refused, nothing written."""
    a = db.client_a.id
    for extra in ("owner_id", "shared", "kind", "created_at"):
        values = {**values_for(kind, "words"), extra: str(db.client_b.id)}
        for save in (items.save, drafts.save):
            with pytest.raises(InvalidInput), session_scope() as session:
                save(session, owner_id=a, kind=kind, item_id=uuid.uuid4(), values=values)
    for not_a_mapping in (None, "text", [("x", "y")], 42):
        with pytest.raises(InvalidInput), session_scope() as session:
            items.save(session, owner_id=a, kind=kind, item_id=uuid.uuid4(), values=not_a_mapping)
    assert _counts(kind) == dict.fromkeys(_tables(kind), 0)


def test_optional_fields_can_be_empty_and_are_stored_as_null(db, kind: items.Kind) -> None:
    optional = []
    for item_field in kind.fields:
        try:
            item_field.clean("")
        except InvalidInput:
            continue
        optional.append(item_field.name)
    values = {**values_for(kind, "words"), **dict.fromkeys(optional, "")}
    item_id = uuid.uuid4()
    with session_scope() as session:
        items.save(session, owner_id=db.client_a.id, kind=kind, item_id=item_id, values=values)
    with session_scope() as session:
        assert items.open_own(session, owner_id=db.client_a.id, kind=kind, item_id=item_id).fields == values
        row = session.exec(select(kind.table).where(kind.table.item_id == item_id)).one()  # type: ignore[attr-defined]
    for name in kind.field_names:
        stored = getattr(row, kind.columns[name][1])
        assert (stored is None) == (name in optional), name


def test_an_item_of_one_kind_is_not_an_item_of_another(db, kind: items.Kind, other_kind: items.Kind) -> None:
    a = db.client_a.id
    with session_scope() as session:
        mine = new_item(session, kind=other_kind, owner_id=a, text="other kind")
    before = _counts(kind)
    _refused_and_audited(
        lambda s: items.open_own(s, owner_id=a, kind=kind, item_id=mine),
        (AuditAction.VIEW_ITEM, DENIED, a, a, mine),
    )
    _refused_and_audited(
        lambda s: items.save(s, owner_id=a, kind=kind, item_id=mine, values=values_for(kind, "x")),
        (AuditAction.WRITE_ITEM, DENIED, a, a, mine),
    )
    _refused_and_audited(
        lambda s: drafts.save(s, owner_id=a, kind=kind, item_id=mine, values=values_for(kind, "x")),
        (AuditAction.WRITE_ITEM, DENIED, a, a, mine),
    )
    _refused_and_audited(
        lambda s: drafts.open_for_editing(s, owner_id=a, kind=kind, item_id=mine, issued=True),
        (AuditAction.VIEW_ITEM, DENIED, a, a, mine),
    )
    assert _counts(kind) == before
    with session_scope() as session:
        assert items.list_own(session, owner_id=a, kind=kind).items == []
        shown = items.open_own(session, owner_id=a, kind=other_kind, item_id=mine)
    assert shown.fields == values_for(other_kind, "other kind")


# --- sharing, revoking, "seen" -------------------------------------------------------------


@pytest.fixture
def linked(db) -> None:
    """Client A linked to Dr. A and Dr. B; client B linked to Dr. B."""
    with session_scope() as session:
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_b.id)
        link(session, client_id=db.client_b.id, clinician_id=db.clinician_b.id)


def test_sharing_shows_the_item_to_that_linked_clinician_only(
    db, linked, kind: items.Kind, other_kind: items.Kind
) -> None:
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        item_id = new_item(session, kind=kind, owner_id=a, text=SECRET)
        new_item(session, kind=kind, owner_id=a, text="private")
    before = _audit_count()
    shares = _share(a, str(item_id), dr_a)  # the kind is looked up from the item
    assert [(s.clinician_id, s.clinician_name, s.seen_at) for s in shares] == [
        (dr_a, db.clinician_a.name, None),
        (dr_b, db.clinician_b.name, None),
    ]
    assert shares[0].shared_at is not None
    assert shares[1].shared_at is None
    assert _audit_since(before) == [(AuditAction.SHARE, ALLOWED, a, a, item_id)]
    assert (_visible(dr_a), _visible(dr_b)) == ({item_id}, set())

    shown = _open_shared(dr_a, item_id, kind)
    values = values_for(kind, SECRET)
    assert (shown.id, shown.kind, shown.owner_id, shown.fields) == (
        item_id,
        kind.name,
        a,
        _shared_values(kind, values),
    )
    assert shown.shared_at == shares[0].shared_at
    page = _list_shared(dr_a, a, kind)
    assert ([i.id for i in page.items], page.older) == ([item_id], None)
    assert _list_shared(dr_a, a, other_kind).items == []
    assert _list_shared(dr_b, a, kind).items == []
    with pytest.raises(NotFound):
        _open_shared(dr_b, item_id, kind)
    with session_scope() as session:
        (mine, private) = sorted(
            items.list_own(session, owner_id=a, kind=kind).items, key=lambda i: i.id != item_id
        )
    assert (mine.shared_with, private.shared_with) == ((db.clinician_a.name,), ())

    # Sharing a shared item again changes nothing and writes no row.
    before = _audit_count()
    assert _share(a, item_id, dr_a) == _share(a, item_id, dr_a)
    assert _audit_since(before) == []
    with session_scope() as session:
        assert len(session.exec(select(ItemShare).where(ItemShare.item_id == item_id)).all()) == 1


def test_sharing_needs_an_active_link_to_that_clinician(db, kind: items.Kind) -> None:
    a = db.client_a.id
    with session_scope() as session:
        item_id = new_item(session, kind=kind, owner_id=a)
        link(session, client_id=db.client_b.id, clinician_id=db.clinician_a.id)
    before, counts = _audit_count(), _counts(kind)
    for someone in (db.clinician_a.id, db.clinician_b.id, db.client_b.id, a, uuid.uuid4()):
        with pytest.raises(InvalidInput), session_scope() as session:
            sharing.set_shared(session, owner_id=a, item_id=item_id, clinician_id=someone, shared=True)
    assert (_audit_since(before), _counts(kind)) == ([], counts)
    assert _visible(db.clinician_a.id) == set()


def test_revoking_hides_it_at_once_and_sharing_again_is_a_new_unseen_share(
    db, linked, kind: items.Kind
) -> None:
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        item_id = new_item(session, kind=kind, owner_id=a, text=SECRET)
    _share(a, item_id, dr_a)
    _open_shared(dr_a, item_id, kind)
    assert _seen(item_id) == {dr_a: True}
    before = _audit_count()
    shares = _share(a, item_id, dr_a, shared=False)
    assert (shares[0].shared_at, shares[0].seen_at) == (None, None)
    assert _share(a, item_id, dr_a, shared=False) == shares  # idempotent
    assert _audit_since(before) == [(AuditAction.REVOKE, ALLOWED, a, a, item_id)]
    assert _visible(dr_a) == set()
    with pytest.raises(NotFound):
        _open_shared(dr_a, item_id, kind)
    assert _list_shared(dr_a, a, kind).items == []
    with session_scope() as session:
        assert items.list_own(session, owner_id=a, kind=kind).items[0].shared_with == ()

    shares = _share(a, item_id, dr_a)
    assert shares[0].shared_at is not None
    assert shares[0].seen_at is None  # a new share: not seen yet
    assert _seen(item_id) == {dr_a: False}


def test_seen_is_marked_exactly_when_content_reaches_the_clinician(
    db, linked, kind: items.Kind, other_kind: items.Kind
) -> None:
    """AUD-3: "seen" means some of the item reached the clinician: a list (which shows
    content) or an open. Ids, counts, refusals and rolled-back views are not "seen"."""
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        x, y, z, w = (new_item(session, kind=kind, owner_id=a, text=f"item {n}") for n in "xyzw")
        elsewhere = new_item(session, kind=other_kind, owner_id=a)
    for item_id in (x, y, z, w, elsewhere):
        _share(a, item_id, dr_a)
    _share(a, w, dr_b)

    def seen() -> dict[uuid.UUID, dict[uuid.UUID, bool]]:
        return {item_id: _seen(item_id) for item_id in (x, y, z, w)}

    def owner_sees() -> dict[uuid.UUID, set[uuid.UUID]]:
        """What the owner is shown (AUD-3): per item, who has seen it."""
        with session_scope() as session:
            shares = sharing.shares_of(session, owner_id=a, item_ids=[x, y, z, w])
        return {i: {s.clinician_id for s in shares[i] if s.seen_at is not None} for i in (x, y, z, w)}

    nothing = {x: {dr_a: False}, y: {dr_a: False}, z: {dr_a: False}, w: {dr_a: False, dr_b: False}}
    assert seen() == nothing
    # No content: ids, the owner's own views, another kind's list, refusals.
    _visible(dr_a)
    with session_scope() as session:
        items.list_own(session, owner_id=a, kind=kind)
        items.open_own(session, owner_id=a, kind=kind, item_id=x)
    assert _list_shared(dr_a, a, other_kind).items[0].id == elsewhere
    with pytest.raises(NotFound):
        _open_shared(dr_b, x, kind)
    with pytest.raises(NotFound):
        _open_shared(dr_a, x, other_kind)
    before = _audit_count()
    unknown = uuid.uuid4()
    with pytest.raises(NotFound), session_scope() as session:
        sharing.open_shared_many(session, clinician_id=dr_a, item_ids=[x, y, unknown], kind=kind)
    # All or nothing: the visible ones were not shown, so not seen and not audited as viewed.
    assert _audit_since(before) == [(AuditAction.VIEW_SHARED_ITEM, DENIED, dr_a, None, unknown)]
    assert seen() == nothing
    assert owner_sees() == {i: set() for i in (x, y, z, w)}

    # One open: that item, for that clinician.
    before = _audit_count()
    _open_shared(dr_a, x, kind)
    assert seen() == {**nothing, x: {dr_a: True}}
    assert _audit_since(before) == [(AuditAction.VIEW_SHARED_ITEM, ALLOWED, dr_a, a, x)]
    # Several at once: one row and one mark per item, in the order asked.
    before = _audit_count()
    with session_scope() as session:
        opened = sharing.open_shared_many(session, clinician_id=dr_a, item_ids=[z, str(y)], kind=kind)
    assert [i.id for i in opened] == [z, y]
    assert _audit_since(before) == [
        (AuditAction.VIEW_SHARED_ITEM, ALLOWED, dr_a, a, z),
        (AuditAction.VIEW_SHARED_ITEM, ALLOWED, dr_a, a, y),
    ]
    assert seen() == {**nothing, x: {dr_a: True}, y: {dr_a: True}, z: {dr_a: True}}
    with session_scope() as session:
        first_seen = {
            i: session.exec(select(ItemShare.first_seen_at).where(ItemShare.item_id == i)).one()
            for i in (x, y, z)
        }
    # A list shows content: every item listed is audited and seen (w, for Dr. A only).
    before = _audit_count()
    listed = _list_shared(dr_a, a, kind).items
    assert {i.id for i in listed} == {x, y, z, w}
    assert sorted(_audit_since(before), key=str) == sorted(
        [(AuditAction.VIEW_SHARED_ITEM, ALLOWED, dr_a, a, i) for i in (x, y, z, w)], key=str
    )
    assert seen() == {x: {dr_a: True}, y: {dr_a: True}, z: {dr_a: True}, w: {dr_a: True, dr_b: False}}
    assert owner_sees() == {x: {dr_a}, y: {dr_a}, z: {dr_a}, w: {dr_a}}
    with session_scope() as session:  # later views keep the first "seen" time
        for i in (x, y, z):
            assert (
                session.exec(select(ItemShare.first_seen_at).where(ItemShare.item_id == i)).one()
                == (first_seen[i])
            )


def test_a_page_redrawn_for_a_tab_nobody_may_be_looking_at_leaves_out_what_was_never_seen(
    db, linked, kind: items.Kind
) -> None:
    """A push redraws a clinician's open page (state/live.recheck_unattended): within
    `sharing.unseen_held_back`, items never seen are left out, neither audited nor marked
    seen, and named in the list it gives; items seen before are shown as ever. (A walk-
    through: a tab left open told the client "Seen" the moment they shared.)"""
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        old, new = (new_item(session, kind=kind, owner_id=a, text=f"item {n}") for n in "on")
    _share(a, old, dr_a)
    _open_shared(dr_a, old, kind)
    _share(a, new, dr_a)
    before = _audit_count()
    with sharing.unseen_held_back() as held:
        listed = _list_shared(dr_a, a, kind).items
        with pytest.raises(NotFound):
            _open_shared(dr_a, new, kind)
    assert [i.id for i in listed] == [old]
    assert held == [new, new]
    assert _audit_since(before) == [(AuditAction.VIEW_SHARED_ITEM, ALLOWED, dr_a, a, old)]
    assert _seen(new) == {dr_a: False}
    # Outside it, as ever: the list shows both, and the new one is seen now.
    assert {i.id for i in _list_shared(dr_a, a, kind).items} == {old, new}
    assert _seen(new) == {dr_a: True}


# --- keyset paging ----------------------------------------------------------------------------


def _walk(read: Callable[[Any], Any]) -> list[list[uuid.UUID]]:
    """Every page of a newest-first list, following its cursors."""
    pages, cursor = [], None
    while True:
        page = read(cursor)
        pages.append([item.id for item in page.items])
        cursor = page.older
        if cursor is None:
            return pages


def test_pages_hold_every_item_once_in_order_for_owner_and_clinician(
    db, kind: items.Kind, other_kind: items.Kind
) -> None:
    """AVAIL-4: keyset pages, newest first, (created_at, id) as the order, ties included."""
    a, dr_a, size = db.client_a.id, db.clinician_a.id, items.PAGE_SIZE
    total = 2 * size + 3
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        made = [new_item(session, kind=kind, owner_id=a, text=f"n{i}") for i in range(total)]
        noise = [
            new_item(session, kind=other_kind, owner_id=a),
            new_item(session, kind=kind, owner_id=db.client_b.id),
        ]
        # Spaced timestamps, with a run of ties straddling both page boundaries.
        base, tied = utcnow() - timedelta(days=1), utcnow() - timedelta(days=2)
        for i, item_id in enumerate(made):
            at = tied if 30 <= i < total - 30 else base - timedelta(minutes=total - i)
            session.exec(update(ClientItem).where(col(ClientItem.id) == item_id).values(created_at=at))
        for item_id in [*made, noise[0]]:
            sharing.set_shared(session, owner_id=a, item_id=item_id, clinician_id=dr_a, shared=True)
        rows = session.exec(
            select(ClientItem.created_at, ClientItem.id).where(col(ClientItem.id).in_(made))
        ).all()
    expected = [item_id for _, item_id in sorted(rows, reverse=True)]
    assert expected != list(reversed(made))  # the ties really reorder by id

    with session_scope() as session:
        own = _walk(lambda older: items.list_own(session, owner_id=a, kind=kind, older=older))
    assert [len(page) for page in own] == [size, size, 3]
    assert [i for page in own for i in page] == expected

    # The clinician's pages: the same order; a page marks only what it shows.
    with session_scope() as session:
        first = sharing.list_shared(session, clinician_id=dr_a, client_id=a, kind=kind)
    assert [i.id for i in first.items] == expected[:size]
    assert {i: _seen(i)[dr_a] for i in expected} == {i: i in expected[:size] for i in expected}
    with session_scope() as session:
        shared = _walk(
            lambda older: sharing.list_shared(session, clinician_id=dr_a, client_id=a, kind=kind, older=older)
        )
    assert [len(page) for page in shared] == [size, size, 3]
    assert [i for page in shared for i in page] == expected
    assert all(_seen(i)[dr_a] for i in expected)

    # The last item of page one goes before "Older": page two is unchanged, for both.
    with session_scope() as session:
        cursor = items.list_own(session, owner_id=a, kind=kind).older
        items.delete_item(session, owner_id=a, item_id=expected[size - 1])
    with session_scope() as session:
        assert [i.id for i in items.list_own(session, owner_id=a, kind=kind, older=cursor).items] == own[1]
        assert [
            i.id
            for i in sharing.list_shared(
                session, clinician_id=dr_a, client_id=a, kind=kind, older=cursor
            ).items
        ] == shared[1]


def test_exactly_one_page_has_no_older_page(db, kind: items.Kind) -> None:
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        for i in range(items.PAGE_SIZE):
            item_id = new_item(session, kind=kind, owner_id=a, text=f"n{i}")
            sharing.set_shared(session, owner_id=a, item_id=item_id, clinician_id=dr_a, shared=True)
    with session_scope() as session:
        own = items.list_own(session, owner_id=a, kind=kind)
        shared = sharing.list_shared(session, clinician_id=dr_a, client_id=a, kind=kind)
    assert (len(own.items), own.older) == (items.PAGE_SIZE, None)
    assert (len(shared.items), shared.older) == (items.PAGE_SIZE, None)


# --- drafts -------------------------------------------------------------------------------------


def test_drafts_round_trip_list_discard_and_are_cleared_by_saving(
    db, kind: items.Kind, other_kind: items.Kind
) -> None:
    a, b = db.client_a.id, db.client_b.id
    first_field = kind.field_names[0]
    new_id, edit_id, blank_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    partial = {first_field: "half written"}  # missing fields are empty in a draft
    with session_scope() as session:
        items.save(session, owner_id=a, kind=kind, item_id=edit_id, values=values_for(kind, "saved"))
        drafts.save(session, owner_id=a, kind=kind, item_id=new_id, values=partial)
        drafts.save(session, owner_id=a, kind=kind, item_id=edit_id, values=values_for(kind, "changed"))
        drafts.save(
            session, owner_id=a, kind=kind, item_id=blank_id, values=dict.fromkeys(kind.field_names, " ")
        )
        drafts.save(
            session, owner_id=a, kind=other_kind, item_id=uuid.uuid4(), values=values_for(other_kind, "o")
        )
    everything_empty = dict.fromkeys(kind.field_names, "")
    with session_scope() as session:
        draft = drafts.get(session, owner_id=a, item_id=new_id)
        assert draft is not None
        assert (draft.item_id, draft.kind, draft.fields) == (
            new_id,
            kind.name,
            {**everything_empty, **partial},
        )
        edit = drafts.get(session, owner_id=a, item_id=edit_id)
        assert edit is not None
        assert edit.fields == values_for(kind, "changed")
        assert drafts.get(session, owner_id=b, item_id=new_id) is None
        assert drafts.get(session, owner_id=a, item_id=uuid.uuid4()) is None
        listed = [d.item_id for d in drafts.list_new(session, owner_id=a, kind=kind)]
        assert new_id in listed
        assert blank_id not in listed  # white space only: left out
        assert {d.kind for d in drafts.list_new(session, owner_id=a, kind=kind)} == {kind.name}
        assert drafts.list_new(session, owner_id=b, kind=kind) == []
        # A draft is not an item until saved.
        assert [i.id for i in items.list_own(session, owner_id=a, kind=kind).items] == [edit_id]

        opened = drafts.open_for_editing(session, owner_id=a, kind=kind, item_id=new_id, issued=False)
        assert (opened.fields, opened.is_new, opened.from_draft) == (
            {**everything_empty, **partial},
            True,
            True,
        )
        opened = drafts.open_for_editing(session, owner_id=a, kind=kind, item_id=edit_id, issued=False)
        assert (opened.fields, opened.is_new, opened.from_draft) == (values_for(kind, "changed"), False, True)

    with session_scope() as session:
        drafts.save(session, owner_id=a, kind=kind, item_id=new_id, values=values_for(kind, "longer"))
    with session_scope() as session:
        again = drafts.get(session, owner_id=a, item_id=new_id)
        assert again is not None
        assert again.fields == values_for(kind, "longer")
        assert row_counts(session, ("item_draft",))["item_draft"] == 4  # updated in place
        assert items.save(session, owner_id=a, kind=kind, item_id=new_id, values=values_for(kind, "longer"))
    with session_scope() as session:
        assert drafts.get(session, owner_id=a, item_id=new_id) is None
        opened = drafts.open_for_editing(session, owner_id=a, kind=kind, item_id=new_id, issued=False)
        assert (opened.fields, opened.is_new, opened.from_draft) == (values_for(kind, "longer"), False, False)
        drafts.discard(session, owner_id=a, item_id=blank_id)
        drafts.discard(session, owner_id=a, item_id=str(edit_id))
    with session_scope() as session:
        assert drafts.get(session, owner_id=a, item_id=blank_id) is None
        assert drafts.list_new(session, owner_id=a, kind=kind) == []
        saved = drafts.open_for_editing(session, owner_id=a, kind=kind, item_id=edit_id, issued=False)
        assert (saved.fields, saved.from_draft) == (values_for(kind, "saved"), False)


def test_an_editor_opens_only_ids_that_are_the_owners_or_issued(
    db, kind: items.Kind, other_kind: items.Kind
) -> None:
    a, b = db.client_a.id, db.client_b.id
    unknown, other_kinds_draft = uuid.uuid4(), uuid.uuid4()
    with session_scope() as session:
        theirs = new_item(session, kind=kind, owner_id=b, text=SECRET)
        drafts.save(
            session,
            owner_id=a,
            kind=other_kind,
            item_id=other_kinds_draft,
            values=values_for(other_kind, "o"),
        )
    # An unknown id is refused unless the server issued it for a new item.
    _refused_and_audited(
        lambda s: drafts.open_for_editing(s, owner_id=a, kind=kind, item_id=unknown, issued=False),
        (AuditAction.VIEW_ITEM, DENIED, a, None, unknown),
    )
    with session_scope() as session:
        fresh = drafts.open_for_editing(session, owner_id=a, kind=kind, item_id=unknown, issued=True)
        # Another kind's draft under this id is not this kind's editor's content.
        cross = drafts.open_for_editing(
            session, owner_id=a, kind=kind, item_id=other_kinds_draft, issued=True
        )
    empty = dict.fromkeys(kind.field_names, "")
    assert (fresh.fields, fresh.is_new, fresh.from_draft) == (empty, True, False)
    assert (cross.fields, cross.is_new, cross.from_draft) == (empty, True, False)
    # Someone else's item: refused whether issued or not, and nothing of theirs comes back.
    for issued in (False, True):
        refusal = _refused_and_audited(
            lambda s, issued=issued: drafts.open_for_editing(
                s, owner_id=a, kind=kind, item_id=theirs, issued=issued
            ),
            (AuditAction.VIEW_ITEM, DENIED, a, b, theirs),
        )
        assert SECRET not in repr(refusal.args)
    _refused_and_audited(
        lambda s: drafts.open_for_editing(s, owner_id=a, kind=kind, item_id="not-an-id", issued=True),
        (AuditAction.VIEW_ITEM, DENIED, a, None, None),
    )


def test_a_draft_is_written_only_in_its_owners_namespace(db, linked, kind: items.Kind) -> None:
    a, b, dr_a = db.client_a.id, db.client_b.id, db.clinician_a.id
    with session_scope() as session:
        item_id = new_item(session, kind=kind, owner_id=a, text="kept")
        drafts.save(session, owner_id=a, kind=kind, item_id=item_id, values=values_for(kind, "mine"))
        sharing.set_shared(session, owner_id=a, item_id=item_id, clinician_id=dr_a, shared=True)
    counts = _counts(kind)
    _refused_and_audited(
        lambda s: drafts.save(s, owner_id=b, kind=kind, item_id=item_id, values=values_for(kind, "sneaky")),
        (AuditAction.WRITE_ITEM, DENIED, b, a, item_id),
    )
    assert _counts(kind) == counts
    with session_scope() as session:
        assert drafts.get(session, owner_id=b, item_id=item_id) is None
        mine = drafts.get(session, owner_id=a, item_id=item_id)
        assert mine is not None
        assert mine.fields == values_for(kind, "mine")
    # The clinician sees the saved item, never the draft of it (AUTHZ-8).
    shown = _open_shared(dr_a, item_id, kind)
    assert shown.fields == _shared_values(kind, values_for(kind, "kept"))
    assert "mine" not in repr(shown)


def test_the_id_of_someone_elses_unsaved_draft_is_not_free(db, linked, kind: items.Kind) -> None:
    """Attack review: another client who learned a new entry's id (an address bar) wrote a
    draft under it through the beacon route and saved it first; the owner could no longer
    open their own unsaved words. An id that is anyone else's draft is taken: a draft or an
    item under it is refused, audited, and the owner's draft is theirs as before."""
    a, b = db.client_a.id, db.client_b.id
    unsaved = uuid.uuid4()
    with session_scope() as session:
        drafts.save(session, owner_id=a, kind=kind, item_id=unsaved, values=values_for(kind, "mine"))
    counts = _counts(kind)
    _refused_and_audited(
        lambda s: drafts.save(s, owner_id=b, kind=kind, item_id=unsaved, values=values_for(kind, "squat")),
        (AuditAction.WRITE_ITEM, DENIED, b, None, unsaved),
    )
    _refused_and_audited(
        lambda s: items.save(s, owner_id=b, kind=kind, item_id=unsaved, values=values_for(kind, "squat")),
        (AuditAction.WRITE_ITEM, DENIED, b, None, unsaved),
    )
    assert _counts(kind) == counts
    with session_scope() as session:
        assert drafts.get(session, owner_id=b, item_id=unsaved) is None
        items.save(session, owner_id=a, kind=kind, item_id=unsaved, values=values_for(kind, "mine"))
        assert items.open_own(session, owner_id=a, kind=kind, item_id=unsaved).fields == values_for(
            kind, "mine"
        )


# --- delete -------------------------------------------------------------------------------------


def test_delete_leaves_a_tombstone_revokes_its_shares_and_drops_its_draft(
    db, linked, kind: items.Kind
) -> None:
    a, dr_a, dr_b = db.client_a.id, db.clinician_a.id, db.clinician_b.id
    table = _table(kind)
    with session_scope() as session:
        item_id = new_item(session, kind=kind, owner_id=a, text=SECRET)
        kept = new_item(session, kind=kind, owner_id=a, text="kept")
        for clinician in (dr_a, dr_b):
            sharing.set_shared(session, owner_id=a, item_id=item_id, clinician_id=clinician, shared=True)
        sharing.set_shared(session, owner_id=a, item_id=kept, clinician_id=dr_a, shared=True)
        drafts.save(session, owner_id=a, kind=kind, item_id=item_id, values=values_for(kind, "editing"))
    before = _audit_count()
    with session_scope() as session:
        assert items.delete_item(session, owner_id=a, item_id=str(item_id)) == (
            kind.name,
            sorted([dr_a, dr_b]),
        )
    rows = _audit_since(before)
    assert sorted(rows[:2], key=str) == sorted([(AuditAction.REVOKE, ALLOWED, a, a, item_id)] * 2, key=str)
    assert rows[2:] == [(AuditAction.DELETE, ALLOWED, a, a, item_id)]
    with session_scope() as session:
        tombstone = session.get(ClientItem, item_id)
        assert tombstone is not None
        assert (tombstone.deleted_at is not None, tombstone.kind, tombstone.owner_id) == (True, kind.name, a)
        assert row_counts(session, (table,))[table] == 1  # only the kept one
        assert session.exec(select(ItemDraft).where(ItemDraft.item_id == item_id)).all() == []
        shares = session.exec(select(ItemShare).where(ItemShare.item_id == item_id)).all()
        assert len(shares) == 2
        assert all(share.revoked_at is not None for share in shares)
        assert [i.id for i in items.list_own(session, owner_id=a, kind=kind).items] == [kept]
    assert (_visible(dr_a), _visible(dr_b)) == ({kept}, set())

    # The id is gone for good, for every action, each refusal audited.
    values = values_for(kind, "reuse")
    for call, action in (
        (lambda s: items.open_own(s, owner_id=a, kind=kind, item_id=item_id), AuditAction.VIEW_ITEM),
        (lambda s: items.delete_item(s, owner_id=a, item_id=item_id), AuditAction.DELETE),
        (
            lambda s: items.save(s, owner_id=a, kind=kind, item_id=item_id, values=values),
            AuditAction.WRITE_ITEM,
        ),
        (
            lambda s: drafts.save(s, owner_id=a, kind=kind, item_id=item_id, values=values),
            AuditAction.WRITE_ITEM,
        ),
        (
            lambda s: drafts.open_for_editing(s, owner_id=a, kind=kind, item_id=item_id, issued=True),
            AuditAction.VIEW_ITEM,
        ),
        (
            lambda s: sharing.set_shared(s, owner_id=a, item_id=item_id, clinician_id=dr_a, shared=True),
            AuditAction.SHARE,
        ),
    ):
        _refused_and_audited(call, (action, DENIED, a, a, item_id))  # a tombstone is still theirs
    _refused_and_audited(
        lambda s: sharing.open_shared(s, clinician_id=dr_a, item_id=item_id, kind=kind),
        (AuditAction.VIEW_SHARED_ITEM, DENIED, dr_a, a, item_id),
    )


# --- refusals: identical, audited --------------------------------------------------------------


@pytest.fixture
def scene(db, linked, kind: items.Kind, other_kind: items.Kind) -> dict[str, uuid.UUID]:
    """Items of client A (and one of client B) in every state a clinician might meet."""
    a, b, dr_a, dr_b = db.client_a.id, db.client_b.id, db.clinician_a.id, db.clinician_b.id
    with session_scope() as session:
        ids = {
            name: new_item(
                session, kind=kind, owner_id=b if name == "other_client" else a, text=f"{SECRET} {name}"
            )
            for name in ("shared", "unshared", "revoked", "deleted", "other_clinician", "other_client")
        }
        ids["other_kind"] = new_item(session, kind=other_kind, owner_id=a, text=SECRET)
        for name in ("shared", "revoked", "deleted", "other_kind"):
            sharing.set_shared(session, owner_id=a, item_id=ids[name], clinician_id=dr_a, shared=True)
        sharing.set_shared(
            session, owner_id=a, item_id=ids["other_clinician"], clinician_id=dr_b, shared=True
        )
        sharing.set_shared(session, owner_id=b, item_id=ids["other_client"], clinician_id=dr_b, shared=True)
        sharing.set_shared(session, owner_id=a, item_id=ids["revoked"], clinician_id=dr_a, shared=False)
        items.delete_item(session, owner_id=a, item_id=ids["deleted"])
    ids["nonexistent"] = uuid.uuid4()
    return ids


REFUSED = ("unshared", "revoked", "deleted", "other_clinician", "other_client", "other_kind", "nonexistent")


def _owner_in_scene(db, name: str) -> uuid.UUID | None:
    """Whose record a refused attempt on the scene's item `name` names (AUD-1)."""
    return {"other_client": db.client_b.id, "nonexistent": None}.get(name, db.client_a.id)


def test_every_clinician_refusal_is_identical_and_audited(db, scene, kind: items.Kind) -> None:
    """AUTHZ-3: whatever the reason, the same answer and one DENIED row naming the id."""
    dr_a = db.clinician_a.id
    answers = set()
    for name in REFUSED:
        for many in (False, True):

            def call(s: Session, name: str = name, many: bool = many) -> object:
                if many:  # a visible one alongside doesn't help
                    return sharing.open_shared_many(
                        s, clinician_id=dr_a, item_ids=[scene["shared"], scene[name]], kind=kind
                    )
                return sharing.open_shared(s, clinician_id=dr_a, item_id=scene[name], kind=kind)

            refusal = _refused_and_audited(
                call, (AuditAction.VIEW_SHARED_ITEM, DENIED, dr_a, _owner_in_scene(db, name), scene[name])
            )
            answers.add((type(refusal), str(refusal), refusal.args))
            assert SECRET not in repr(refusal.args)
    assert len(answers) == 1, answers
    assert _seen(scene["shared"]) == {dr_a: False}  # refused batches showed nothing
    assert _open_shared(dr_a, scene["shared"], kind).fields == _shared_values(
        kind, values_for(kind, f"{SECRET} shared")
    )


@pytest.mark.parametrize("raw", ["not-a-uuid", None, 42, "x" * 36, "", ["a"]])
def test_malformed_ids_are_refused_and_audited_for_clinicians(
    db, scene, kind: items.Kind, raw: object
) -> None:
    dr_a = db.clinician_a.id
    refusals = [
        _refused_and_audited(
            lambda s: sharing.open_shared(s, clinician_id=dr_a, item_id=raw, kind=kind),
            (AuditAction.VIEW_SHARED_ITEM, DENIED, dr_a, None, None),
        ),
        _refused_and_audited(
            lambda s: sharing.open_shared_many(
                s, clinician_id=dr_a, item_ids=[scene["shared"], raw], kind=kind
            ),
            (AuditAction.VIEW_SHARED_ITEM, DENIED, dr_a, None, None),
        ),
        _refused_and_audited(
            lambda s: sharing.list_shared(s, clinician_id=dr_a, client_id=raw, kind=kind),
            (AuditAction.VIEW_SHARED_LIST, DENIED, dr_a, None, None),
        ),
    ]
    assert len({str(r) for r in refusals}) == 1


def test_a_list_of_an_unlinked_client_is_refused_and_audited(db, scene, kind: items.Kind) -> None:
    dr_a, b = db.clinician_a.id, db.client_b.id
    for client in (b, uuid.uuid4(), db.clinician_b.id, dr_a):  # the row names whom they tried
        _refused_and_audited(
            lambda s, client=client: sharing.list_shared(s, clinician_id=dr_a, client_id=client, kind=kind),
            (AuditAction.VIEW_SHARED_LIST, DENIED, dr_a, client, None),
        )


def test_every_owner_side_refusal_is_identical_audited_and_writes_nothing(
    db, scene, kind: items.Kind
) -> None:
    """Someone else's item and an unknown id get the same answer for every action; each
    attempt is audited (these were not audited before the platform)."""
    stranger, dr_b = db.client_b.id, db.clinician_b.id
    values = values_for(kind, "overwritten")
    calls: dict[str, tuple[Callable[[Session, Any], object], AuditAction]] = {
        "open": (
            lambda s, i: items.open_own(s, owner_id=stranger, kind=kind, item_id=i),
            AuditAction.VIEW_ITEM,
        ),
        "edit": (
            lambda s, i: drafts.open_for_editing(s, owner_id=stranger, kind=kind, item_id=i, issued=False),
            AuditAction.VIEW_ITEM,
        ),
        "delete": (lambda s, i: items.delete_item(s, owner_id=stranger, item_id=i), AuditAction.DELETE),
        "share": (
            lambda s, i: sharing.set_shared(s, owner_id=stranger, item_id=i, clinician_id=dr_b, shared=True),
            AuditAction.SHARE,
        ),
        "revoke": (
            lambda s, i: sharing.set_shared(s, owner_id=stranger, item_id=i, clinician_id=dr_b, shared=False),
            AuditAction.REVOKE,
        ),
        # Writes: an unknown id is a new item for them, so only someone else's is refused.
        "save": (
            lambda s, i: items.save(s, owner_id=stranger, kind=kind, item_id=i, values=values),
            AuditAction.WRITE_ITEM,
        ),
        "draft": (
            lambda s, i: drafts.save(s, owner_id=stranger, kind=kind, item_id=i, values=values),
            AuditAction.WRITE_ITEM,
        ),
    }
    answers = set()
    counts = _counts(kind)
    targets = ("shared", "unshared", "other_clinician", "deleted", "nonexistent")
    for name, (call, action) in calls.items():
        for target in targets:
            if name in ("save", "draft") and target == "nonexistent":
                continue
            refusal = _refused_and_audited(
                lambda s, call=call, target=target: call(s, scene[target]),
                (action, DENIED, stranger, _owner_in_scene(db, target), scene[target]),
            )
            answers.add((type(refusal), str(refusal), refusal.args))
            assert _counts(kind) == counts, (name, target)
        _refused_and_audited(
            lambda s, call=call: call(s, "not-an-id"), (action, DENIED, stranger, None, None)
        )
    assert len(answers) == 1, answers
    with session_scope() as session:
        shown = items.open_own(session, owner_id=db.client_a.id, kind=kind, item_id=scene["shared"])
        assert shown.fields == values_for(kind, f"{SECRET} shared")
        assert drafts.get(session, owner_id=stranger, item_id=scene["shared"]) is None
    assert _visible(dr_b) == {scene["other_clinician"], scene["other_client"]}


def test_the_owners_share_views_hold_only_the_owners_items(db, scene, kind: items.Kind) -> None:
    """AUTHZ-4: who an item is shared with, and when it was seen, is the owner's to know;
    asked by someone else (linked to the same clinician), it holds nothing."""
    stranger = db.client_b.id
    with session_scope() as session:
        statuses = sharing.shares_of(session, owner_id=stranger, item_ids=[scene["other_clinician"]])
        names = sharing.shared_with(session, owner_id=stranger, item_ids=[scene["other_clinician"]])
    assert [s.shared_at for s in statuses[scene["other_clinician"]]] == [None]
    assert names.get(scene["other_clinician"], []) == []


# --- AUTHZ-8: only the shared fields, ever ------------------------------------------------------


def test_a_clinician_gets_only_the_fields_the_kind_shares(
    db, linked, kind: items.Kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, dr_a = db.client_a.id, db.clinician_a.id
    marks = {name: f"MARK-{name}-{n}" for n, name in enumerate(kind.field_names) if name in text_fields(kind)}
    values = {**values_for(kind, ""), **marks}
    private = [name for name in kind.field_names if name not in kind.shared_field_names]
    with session_scope() as session:
        item_id = uuid.uuid4()
        items.save(session, owner_id=a, kind=kind, item_id=item_id, values=values)
        sharing.set_shared(session, owner_id=a, item_id=item_id, clinician_id=dr_a, shared=True)
        drafts.save(session, owner_id=a, kind=kind, item_id=item_id, values=values_for(kind, "DRAFT-MARK"))
    opened: list[tuple[str, str]] = []
    real_open = DataKey.open

    def recording(self: DataKey, table: str, column: str, row_id: Any, blob: bytes) -> str:
        opened.append((table, column))
        return real_open(self, table, column, row_id, blob)

    monkeypatch.setattr(DataKey, "open", recording)
    with session_scope() as session:
        shown = [
            sharing.open_shared(session, clinician_id=dr_a, item_id=item_id, kind=kind),
            *sharing.open_shared_many(session, clinician_id=dr_a, item_ids=[item_id], kind=kind),
            *sharing.list_shared(session, clinician_id=dr_a, client_id=a, kind=kind).items,
        ]
    for item in shown:
        assert item.fields == {name: values[name] for name in kind.shared_field_names}
        for name in private:
            assert values[name] not in repr(item)
        assert "DRAFT-MARK" not in repr(item)
    # A private field is not even decrypted on the clinician's path.
    # (An empty field is stored as NULL: nothing to decrypt.)
    assert set(opened) == {kind.columns[name] for name in kind.shared_field_names if values[name]}
    # The owner has every field.
    with session_scope() as session:
        assert items.open_own(session, owner_id=a, kind=kind, item_id=item_id).fields == values


# --- a share racing the end of its link ---------------------------------------------------------


def test_a_link_ending_just_before_the_share_is_written_leaves_nothing(db, kind: items.Kind) -> None:
    """The share is one statement that finds the active link: if the link ends between the
    item check and the write, nothing is shared (and linking again shares nothing)."""
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        item_id = new_item(session, kind=kind, owner_id=a, text=SECRET)
    raced = []

    def end_the_link_first(conn, cursor, statement: str, *args: object) -> None:
        # Just before the share's first write (closing an orphaned share, then the insert):
        # after it, SQLite's write lock would make the other writer wait for this one.
        first_write = ("UPDATE ITEM_SHARE", "INSERT INTO ITEM_SHARE")
        if statement.lstrip().upper().startswith(first_write) and not raced:
            raced.append(statement)
            with session_scope() as other:
                links.end_link(other, client_id=a, clinician_id=dr_a)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", end_the_link_first)
    try:
        with pytest.raises(InvalidInput), session_scope() as session:
            sharing.set_shared(session, owner_id=a, item_id=item_id, clinician_id=dr_a, shared=True)
    finally:
        event.remove(engine, "before_cursor_execute", end_the_link_first)
    assert raced, "the share statement never ran"
    with session_scope() as session:
        assert session.exec(select(ItemShare).where(ItemShare.item_id == item_id)).all() == []
        link(session, client_id=a, clinician_id=dr_a)
    assert _visible(dr_a) == set()
    assert _list_shared(dr_a, a, kind).items == []


def _share_that_outlived_its_link(db, kind: items.Kind, monkeypatch: pytest.MonkeyPatch) -> uuid.UUID:
    """What a share racing an unlink leaves on a database that lets them interleave
    (PostgreSQL, read committed): the share is written under the link while it is still
    active, and the unlink's revoke ran before it and missed it. The share row stays
    unrevoked, bound to the link that ended."""
    a, dr_a = db.client_a.id, db.clinician_a.id
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
        item_id = new_item(session, kind=kind, owner_id=a, text=SECRET)
        sharing.set_shared(session, owner_id=a, item_id=item_id, clinician_id=dr_a, shared=True)
    with monkeypatch.context() as patched:
        patched.setattr(sharing, "revoke_all", lambda session, **kwargs: [])  # it saw no share yet
        with session_scope() as session:
            links.end_link(session, client_id=a, clinician_id=dr_a)
    with session_scope() as session:
        (row,) = session.exec(select(ItemShare).where(ItemShare.item_id == item_id)).all()
        assert row.revoked_at is None
    return item_id


def test_a_share_that_outlived_its_link_is_never_visible_again(
    db, kind: items.Kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, dr_a = db.client_a.id, db.clinician_a.id
    item_id = _share_that_outlived_its_link(db, kind, monkeypatch)

    def nothing_shared() -> None:
        assert _visible(dr_a) == set()
        with pytest.raises(NotFound):
            _open_shared(dr_a, item_id, kind)
        with session_scope() as session:
            assert [
                s.shared_at for s in sharing.shares_of(session, owner_id=a, item_ids=[item_id])[item_id]
            ] == ([None] if sharing.is_linked(session, client_id=a, clinician_id=dr_a) else [])
            assert items.list_own(session, owner_id=a, kind=kind).items[0].shared_with == ()

    nothing_shared()
    with pytest.raises(NotFound):
        _list_shared(dr_a, a, kind)  # not linked
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)  # linking again revives nothing
    nothing_shared()
    assert _list_shared(dr_a, a, kind).items == []
    with session_scope() as session:
        assert session.exec(select(ItemShare.first_seen_at).where(ItemShare.item_id == item_id)).one() is None


def test_after_a_share_outlived_its_link_the_item_can_be_shared_again(
    db, kind: items.Kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, dr_a = db.client_a.id, db.clinician_a.id
    item_id = _share_that_outlived_its_link(db, kind, monkeypatch)
    with session_scope() as session:
        link(session, client_id=a, clinician_id=dr_a)
    shares = _share(a, item_id, dr_a)
    assert shares[0].shared_at is not None
    assert _visible(dr_a) == {item_id}


def test_show_more_grows_a_list_to_its_limit_and_then_stops_offering_more() -> None:
    """Attack review: with 520 drafts, "Show more drafts" was still offered after 25 taps that
    listed nothing new. It grows the list by its step up to the limit, then goes."""
    shown, taps = 20, 0
    while items.more_to_show(min(520, shown + 1), shown):
        shown, taps = items.show_more(shown, 20), taps + 1
    assert (shown, taps) == (items.LISTED_MAX, 24)
    assert items.more_to_show(21, 20) and not items.more_to_show(20, 20)
    assert items.show_more(490, 20) == items.LISTED_MAX
