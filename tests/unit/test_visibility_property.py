"""What a clinician can see, as a property of any sequence of actions (AUTHZ-2, -3, -5, PRIV-2).

Two state machines drive the real core against a small pure model:

* VisibilityMachine: clients create, edit and delete entries, link and unlink, share and
  revoke. After every step, each clinician's visible set is exactly the entries with an
  active share over an active link that are not deleted, and a clinician's read succeeds
  exactly for those ids (with the current text) and is NotFound for everything else.
* PrivateByDefaultMachine: the same actions with no share rule at all. After every step
  every clinician's visible set is empty (AUTHZ-5).

The four accounts are made once (argon2 is slow); each example starts from empty item
tables instead.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from unit_support import People, row_counts

from betterjournal.core import journal, links, sharing
from betterjournal.core.errors import InvalidInput, NotFound
from betterjournal.db import session_scope
from betterjournal.models import ItemKind

RESET_TABLES = (
    "item_share",
    "journal_entry",
    "draft",
    "client_item",
    "auth_session",
    "invitation",
    "care_link",
    "audit_event",
)
CLIENTS = (0, 1)
CLINICIANS = (0, 1)
ALL_PAIRS = tuple((client, clinician) for client in CLIENTS for clinician in CLINICIANS)

# Valid text only: the bad-input cases have their own tests (test_bad_input.py).
_chars = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))
titles = st.text(_chars, max_size=12)
bodies = st.text(_chars, min_size=1, max_size=40).filter(lambda s: unicodedata.normalize("NFC", s).strip())


def expected_title(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def expected_body(value: str) -> str:
    return unicodedata.normalize("NFC", value)


@dataclass
class Entry:
    owner: int
    title: str
    body: str
    deleted: bool = False


@dataclass
class Model:
    entries: dict[uuid.UUID, Entry] = field(default_factory=dict)
    links: set[tuple[int, int]] = field(default_factory=set)  # (client, clinician)
    shares: set[tuple[uuid.UUID, int]] = field(default_factory=set)  # (entry, clinician)

    # Ids are random, so anything drawn from is listed in creation order: sorted by id,
    # a draw (an index into the list) would mean something else when Hypothesis replays.

    def rank(self, entry_id: uuid.UUID) -> int:
        return list(self.entries).index(entry_id)

    def ordered_ids(self, ids: set[uuid.UUID]) -> list[uuid.UUID]:
        return sorted(ids, key=self.rank)

    def ordered_shares(self) -> list[tuple[uuid.UUID, int]]:
        return sorted(self.shares, key=lambda pair: (self.rank(pair[0]), pair[1]))

    def visible(self, clinician: int) -> set[uuid.UUID]:
        return {
            entry_id
            for entry_id, shared_with in self.shares
            if shared_with == clinician
            and (self.entries[entry_id].owner, clinician) in self.links
            and not self.entries[entry_id].deleted
        }


class _Machine(RuleBasedStateMachine):
    """Everything but sharing. Subclasses add share rules and their invariant."""

    people: People  # set by the test before running

    entries = Bundle("entries")

    def __init__(self) -> None:
        super().__init__()
        with session_scope() as session:
            connection = session.connection()
            for table in RESET_TABLES:
                connection.exec_driver_sql(f"DELETE FROM {table}")  # noqa: S608 - constant names
        self.model = Model()
        self.clients = (self.people.client_a.id, self.people.client_b.id)
        self.clinicians = (self.people.clinician_a.id, self.people.clinician_b.id)

    # --- entries ---------------------------------------------------------------------

    @rule(target=entries, client=st.sampled_from(CLIENTS), title=titles, body=bodies)
    def create_entry(self, client: int, title: str, body: str) -> uuid.UUID:
        entry_id = uuid.uuid4()
        with session_scope() as session:
            journal.save_entry(
                session, owner_id=self.clients[client], entry_id=entry_id, title=title, body=body
            )
        self.model.entries[entry_id] = Entry(client, expected_title(title), expected_body(body))
        return entry_id

    @rule(entry_id=entries, title=titles, body=bodies, as_owner=st.booleans())
    def edit_entry(self, entry_id: uuid.UUID, title: str, body: str, as_owner: bool) -> None:
        entry = self.model.entries[entry_id]
        who = entry.owner if as_owner else 1 - entry.owner
        if as_owner and not entry.deleted:
            with session_scope() as session:
                journal.save_entry(
                    session, owner_id=self.clients[who], entry_id=entry_id, title=title, body=body
                )
            entry.title, entry.body = expected_title(title), expected_body(body)
        else:
            with pytest.raises(NotFound), session_scope() as session:
                journal.save_entry(
                    session, owner_id=self.clients[who], entry_id=entry_id, title=title, body=body
                )

    @rule(entry_id=entries, as_owner=st.booleans())
    def delete_entry(self, entry_id: uuid.UUID, as_owner: bool) -> None:
        entry = self.model.entries[entry_id]
        who = entry.owner if as_owner else 1 - entry.owner
        if as_owner and not entry.deleted:
            with session_scope() as session:
                journal.delete_entry(session, owner_id=self.clients[who], entry_id=entry_id)
            entry.deleted = True
            self.model.shares = {(e, c) for e, c in self.model.shares if e != entry_id}
        else:
            with pytest.raises(NotFound), session_scope() as session:
                journal.delete_entry(session, owner_id=self.clients[who], entry_id=entry_id)

    # --- links -----------------------------------------------------------------------

    @initialize(pairs=st.one_of(st.just(set(ALL_PAIRS)), st.sets(st.sampled_from(ALL_PAIRS))))
    def start_with_some_links(self, pairs: set[tuple[int, int]]) -> None:
        """Links are needed before anything can be shared; starting with some (often all:
        linked but nothing shared is the interesting case) gets there sooner."""
        for client, clinician in sorted(pairs):
            self.link_by_invitation(client, clinician)

    @rule(client=st.sampled_from(CLIENTS), clinician=st.sampled_from(CLINICIANS))
    def link(self, client: int, clinician: int) -> None:
        self.link_by_invitation(client, clinician)

    def link_by_invitation(self, client: int, clinician: int) -> None:
        with session_scope() as session:
            code = links.create_invitation(session, clinician_id=self.clinicians[clinician])
        with session_scope() as session:
            invitation = links.find_invitation(session, code)
            links.accept_invitation(session, client_id=self.clients[client], invitation_id=invitation.id)
        self.model.links.add((client, clinician))

    @rule(client=st.sampled_from(CLIENTS), clinician=st.sampled_from(CLINICIANS))
    def unlink(self, client: int, clinician: int) -> None:
        if (client, clinician) in self.model.links:
            with session_scope() as session:
                links.end_link(
                    session, client_id=self.clients[client], clinician_id=self.clinicians[clinician]
                )
            self.model.links.discard((client, clinician))
            self.model.shares = {
                (e, c)
                for e, c in self.model.shares
                if not (c == clinician and self.model.entries[e].owner == client)
            }
        else:
            with pytest.raises(InvalidInput), session_scope() as session:
                links.end_link(
                    session, client_id=self.clients[client], clinician_id=self.clinicians[clinician]
                )

    @precondition(lambda self: bool(self.model.links))
    @rule(data=st.data())
    def unlink_a_linked_pair(self, data: st.DataObject) -> None:
        """Ending an existing link, chosen directly, so it happens often enough."""
        client, clinician = data.draw(st.sampled_from(sorted(self.model.links)), label="unlink")
        self.unlink(client, clinician)

    # --- reads -------------------------------------------------------------------------

    @rule(entry_id=entries)
    def owner_reads(self, entry_id: uuid.UUID) -> None:
        self.check_owner_read(entry_id)

    def check_owner_read(self, entry_id: uuid.UUID) -> None:
        entry = self.model.entries[entry_id]
        owner = self.clients[entry.owner]
        if entry.deleted:
            with pytest.raises(NotFound), session_scope() as session:
                journal.get_entry(session, owner_id=owner, entry_id=entry_id)
            return
        with session_scope() as session:
            shown = journal.get_entry(session, owner_id=owner, entry_id=entry_id)
        assert (shown.title, shown.body) == (entry.title, entry.body)
        shared_with = {c for e, c in self.model.shares if e == entry_id}
        linked = [c for c in CLINICIANS if (entry.owner, c) in self.model.links]
        assert {s.clinician_id for s in shown.shares} == {str(self.clinicians[c]) for c in linked}
        assert {s.clinician_id for s in shown.shares if s.shared} == {
            str(self.clinicians[c]) for c in shared_with
        }

    @rule(
        clinician=st.sampled_from(CLINICIANS),
        entry_id=st.one_of(entries, st.builds(uuid.uuid4)),
    )
    def read(self, clinician: int, entry_id: uuid.UUID) -> None:
        self.check_read(clinician, entry_id)

    def check_read(self, clinician: int, entry_id: uuid.UUID) -> None:
        if entry_id in self.model.visible(clinician):
            with session_scope() as session:
                shown = journal.read_shared_entry(
                    session, clinician_id=self.clinicians[clinician], entry_id=entry_id
                )
            entry = self.model.entries[entry_id]
            assert (shown.id, shown.title, shown.body) == (str(entry_id), entry.title, entry.body)
        else:
            with pytest.raises(NotFound) as caught, session_scope() as session:
                journal.read_shared_entry(session, clinician_id=self.clinicians[clinician], entry_id=entry_id)
            assert str(caught.value) == str(NotFound())

    # --- invariants ------------------------------------------------------------------

    def actual_visible(self, clinician: int) -> set[uuid.UUID]:
        with session_scope() as session:
            return sharing.visible_item_ids(session, clinician_id=self.clinicians[clinician])

    @invariant()
    def visible_sets_match_the_model(self) -> None:
        for clinician in CLINICIANS:
            assert self.actual_visible(clinician) == self.model.visible(clinician)

    @invariant()
    def owners_see_who_each_entry_is_shared_with(self) -> None:
        """The "Shared with …" label of the owner's list names exactly the clinicians who
        can see the entry."""
        names = (self.people.clinician_a.name, self.people.clinician_b.name)
        for client in CLIENTS:
            live = [i for i, e in self.model.entries.items() if e.owner == client and not e.deleted]
            with session_scope() as session:
                actual = sharing.shared_with(session, owner_id=self.clients[client], item_ids=live)
            for entry_id in live:
                expected = {names[c] for c in CLINICIANS if entry_id in self.model.visible(c)}
                assert set(actual.get(entry_id, [])) == expected

    def teardown(self) -> None:
        # Every id the run made: the owner sees the current text and share states, and
        # each clinician can read exactly the visible ones.
        for entry_id in self.model.entries:
            self.check_owner_read(entry_id)
            for clinician in CLINICIANS:
                self.check_read(clinician, entry_id)


class VisibilityMachine(_Machine):
    @rule(
        entry_id=_Machine.entries,
        clinician=st.sampled_from(CLINICIANS),
        shared=st.booleans(),
        as_owner=st.booleans(),
    )
    def set_shared(self, entry_id: uuid.UUID, clinician: int, shared: bool, as_owner: bool) -> None:
        entry = self.model.entries[entry_id]
        who = entry.owner if as_owner else 1 - entry.owner

        def call(session) -> None:
            sharing.set_shared(
                session,
                owner_id=self.clients[who],
                item_id=entry_id,
                kind=ItemKind.JOURNAL_ENTRY,
                clinician_id=self.clinicians[clinician],
                shared=shared,
            )

        if not as_owner or entry.deleted:
            with pytest.raises(NotFound), session_scope() as session:
                call(session)
        elif shared and (entry.owner, clinician) not in self.model.links:
            with session_scope() as session:
                before = row_counts(session, ("item_share", "audit_event"))
            with pytest.raises(InvalidInput), session_scope() as session:
                call(session)
            with session_scope() as session:
                assert row_counts(session, ("item_share", "audit_event")) == before
        else:
            self.apply_share(entry_id, clinician, shared)

    def shareable(self) -> list[tuple[uuid.UUID, int]]:
        """Live entries and clinicians their owner is linked to, not yet shared."""
        return [
            (entry_id, clinician)
            for entry_id, entry in self.model.entries.items()  # in creation order
            for clinician in CLINICIANS
            if not entry.deleted
            and (entry.owner, clinician) in self.model.links
            and (entry_id, clinician) not in self.model.shares
        ]

    def apply_share(self, entry_id: uuid.UUID, clinician: int, shared: bool) -> None:
        with session_scope() as session:
            sharing.set_shared(
                session,
                owner_id=self.clients[self.model.entries[entry_id].owner],
                item_id=entry_id,
                kind=ItemKind.JOURNAL_ENTRY,
                clinician_id=self.clinicians[clinician],
                shared=shared,
            )
        if shared:
            self.model.shares.add((entry_id, clinician))
        else:
            self.model.shares.discard((entry_id, clinician))

    # Random choices rarely line up a live entry, a link and a share; these two rules
    # pick valid combinations so that sharing and revoking happen often.

    @precondition(lambda self: bool(self.shareable()))
    @rule(data=st.data())
    def share_with_a_linked_clinician(self, data: st.DataObject) -> None:
        entry_id, clinician = data.draw(st.sampled_from(self.shareable()), label="share")
        self.apply_share(entry_id, clinician, True)

    @precondition(lambda self: bool(self.model.shares))
    @rule(data=st.data())
    def revoke_a_share(self, data: st.DataObject) -> None:
        entry_id, clinician = data.draw(st.sampled_from(self.model.ordered_shares()), label="revoke")
        self.apply_share(entry_id, clinician, False)

    @precondition(lambda self: any(self.model.visible(c) for c in CLINICIANS))
    @rule(data=st.data())
    def read_a_visible_entry(self, data: st.DataObject) -> None:
        """Reads of visible entries are rare by chance; make sure they happen."""
        clinician = data.draw(
            st.sampled_from([c for c in CLINICIANS if self.model.visible(c)]), label="clinician"
        )
        entry_id = data.draw(
            st.sampled_from(self.model.ordered_ids(self.model.visible(clinician))), label="entry"
        )
        self.check_read(clinician, entry_id)


class PrivateByDefaultMachine(_Machine):
    @invariant()
    def nothing_is_visible(self) -> None:
        for clinician in CLINICIANS:
            assert self.actual_visible(clinician) == set()


def machine_settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def test_clinicians_see_exactly_what_is_shared_over_an_active_link(db) -> None:
    VisibilityMachine.people = db
    run_state_machine_as_test(VisibilityMachine, settings=machine_settings(150))


def test_without_a_share_nothing_is_ever_visible(db) -> None:
    PrivateByDefaultMachine.people = db
    run_state_machine_as_test(PrivateByDefaultMachine, settings=machine_settings(60))
