"""The socket attacks, for every registered kind of item (the journal, and the tests' "note").

The owner's share, revoke and delete handlers are generic: they look the kind up from the
item. So every kind gets the same attacks with no test written for it: another client and
a clinician calling them on the owner's item, refusals identical to an unknown id's and
audited, and the owner's own calls doing exactly their work.
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from appserver import TEST_DIRS, RunningApp
from socket_support import (
    World,
    comparable,
    connected,
    new_audit_rows,
    redirects_of,
    secrets_in,
    snapshot,
    state_of,
    uuid_hex,
    writes_between,
)
from socketclient import handler_name

from betterjournal import routes
from betterjournal.core import items, journal, sharing
from betterjournal.db import session_scope
from betterjournal.state.clinician import SharedWithMeState
from betterjournal.state.items import ItemSharingState

sys.path.extend(str(d) for d in TEST_DIRS if str(d) not in sys.path)
import note_kind  # noqa: F401  (registers the test-only kind in this process too)
from unit_support import text_fields, values_for

# Every kind registered in this process: the app's own, and the tests' note (imported above).
KINDS = [kind.name for kind in items.registered()]


def _values(kind: items.Kind, app: RunningApp, label: str) -> dict[str, str]:
    """Valid values, each text field a marker of its own (numbers and times can't be)."""
    values = values_for(kind, "")
    return {**values, **{name: app.marker(f"{kind.name}-{label}-{name}") for name in text_fields(kind)}}


@dataclass
class KindItems:
    kind: items.Kind
    shared: str  # A's, shared with C
    private: str  # A's, private
    texts: set[str]


@pytest.fixture(scope="module")
def kind_items(world: World) -> dict[str, KindItems]:
    """Per kind: two items of client A, one of them shared with clinician C."""
    app, a, c = world.app, world["a"], world["c"]
    made = {}
    with app.core(), session_scope() as session:
        for kind in items.registered():
            ids, texts = [], set()
            for label in ("shared", "private"):
                item_id, values = uuid.uuid4(), _values(kind, app, label)
                items.save(session, owner_id=uuid.UUID(a.id), kind=kind, item_id=item_id, values=values)
                ids.append(str(item_id))
                texts |= {values[name] for name in text_fields(kind)}
            sharing.set_shared(
                session, owner_id=uuid.UUID(a.id), item_id=ids[0], clinician_id=uuid.UUID(c.id), shared=True
            )
            made[kind.name] = KindItems(kind=kind, shared=ids[0], private=ids[1], texts=texts)
    return made


def _share_call(item_id: str, clinician_id: str, shared: bool) -> tuple[str, dict[str, Any]]:
    return (
        handler_name(ItemSharingState, "set_shared"),
        {"item_id": item_id, "clinician_id": clinician_id, "shared": shared},
    )


def _delete_call(item_id: str) -> tuple[str, dict[str, Any]]:
    return handler_name(ItemSharingState, "delete_item"), {"item_id": item_id}


@pytest.mark.parametrize("kind", KINDS)
async def test_another_client_is_refused_like_an_unknown_id_and_audited(
    world: World, kind_items: dict[str, KindItems], kind: str
) -> None:
    app, b, c = world.app, world["b"], world["c"]
    target = kind_items[kind]
    where: dict[str, Any] = {"path": routes.ENTRY, "query": {"id": target.shared}}
    unknown = str(uuid.uuid4())
    for make in (
        lambda item: _share_call(item, c.id, False),
        lambda item: _share_call(item, c.id, True),
        _delete_call,
    ):
        replies = []
        for item in (unknown, target.shared):
            name, payload = make(item)
            async with connected(app, b.cookie) as tab:
                before = snapshot(app)
                replies.append(await tab.exchange(name, payload, **where))
                after = snapshot(app)
            assert writes_between(before, after) == [], f"{name} on {kind} wrote something"
            added = new_audit_rows(before, after)
            assert [(row[1], row[2], row[4]) for row in added] == [(uuid_hex(b.id), uuid_hex(item), "DENIED")]
        assert secrets_in(replies[1], target.texts) == []
        assert comparable(replies[1]) == comparable(replies[0]), f"{name}: {kind} refused differently"


@pytest.mark.parametrize("kind", KINDS)
async def test_a_clinician_is_turned_away_by_the_guard(
    world: World, kind_items: dict[str, KindItems], kind: str
) -> None:
    app, c = world.app, world["c"]
    target = kind_items[kind]
    async with connected(app, c.cookie) as tab:
        for name, payload in (_share_call(target.shared, c.id, False), _delete_call(target.shared)):
            before = snapshot(app)
            updates = await tab.exchange(name, payload, path=routes.ENTRY, query={"id": target.shared})
            assert routes.HOME in redirects_of(updates), f"{name} was not refused for a clinician"
            # Nothing written but the refusal's own audit row: a denied call, theirs.
            assert writes_between(before, after := snapshot(app)) == []
            assert [(row[1], row[3], row[4]) for row in new_audit_rows(before, after)] == [
                (uuid.UUID(c.id).hex, "CALL", "DENIED")
            ]


@pytest.mark.parametrize("kind", KINDS)
async def test_the_owner_shares_revokes_and_deletes_through_the_generic_handlers(
    world: World, kind_items: dict[str, KindItems], kind: str
) -> None:
    app, a, c = world.app, world["a"], world["c"]
    target = kind_items[kind]
    where: dict[str, Any] = {"path": routes.ENTRY, "query": {"id": target.private}}
    async with connected(app, a.cookie) as tab:
        for shared in (True, False):
            before = snapshot(app)
            updates = await tab.exchange(*_share_call(target.private, c.id, shared), **where)
            lines = state_of(updates, ItemSharingState).get("shares") or []
            assert [line["shared"] for line in lines if line["clinician_id"] == c.id] == [shared]
            actions = [(row[2], row[3], row[4]) for row in new_audit_rows(before, snapshot(app))]
            assert actions == [(uuid_hex(target.private), "SHARE" if shared else "REVOKE", "ALLOWED")]
        before = snapshot(app)
        await tab.exchange(*_delete_call(target.private), **where)
        actions = [(row[2], row[3], row[4]) for row in new_audit_rows(before, snapshot(app))]
        assert actions == [(uuid_hex(target.private), "DELETE", "ALLOWED")]
    # A deleted item is gone for its owner too: deleting it again is refused.
    async with connected(app, a.cookie) as tab:
        before = snapshot(app)
        await tab.exchange(*_delete_call(target.private), **where)
        assert [row[4] for row in new_audit_rows(before, snapshot(app))] == ["DENIED"]


@pytest.mark.parametrize("kind", KINDS)
async def test_the_journal_reader_shows_a_clinician_only_journal_entries(
    world: World, kind_items: dict[str, KindItems], kind: str
) -> None:
    """Reading is per kind: the journal's page reads a shared journal entry, and refuses any
    other kind's item (shared or not) exactly like an id that doesn't exist."""
    app, c = world.app, world["c"]
    target = kind_items[kind]
    read = handler_name(SharedWithMeState, "load_shared_entry")
    async with connected(app, c.cookie) as tab:  # a tab each: replies carry only what changed
        unknown = await tab.exchange(read, path=routes.SHARED_ENTRY, query={"id": str(uuid.uuid4())})
    async with connected(app, c.cookie) as tab:
        shown = await tab.exchange(read, path=routes.SHARED_ENTRY, query={"id": target.shared})
    reading = state_of(shown, SharedWithMeState).get("reading") or {}
    if kind == journal.KIND.name:
        assert reading.get("body") in target.texts
    else:
        assert secrets_in(shown, target.texts) == []
        assert comparable(shown) == comparable(unknown)
