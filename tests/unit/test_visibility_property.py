"""What a clinician can see, as a property of any sequence of actions (AUTHZ-2, -3, -5, AUD-1,
AUD-3, PRIV-2), for items of every registered kind.

Two state machines drive the real core against a small pure model:

* VisibilityMachine: clients create, edit, draft and delete items of every kind in
  `items.registered()` (journal entries and the test-only note), link and unlink, share
  and revoke; clinicians list, open one and open several. After every step:
  - each clinician's visible set is exactly the items with an active share over an
    active link that are not deleted, and a clinician's open succeeds exactly for those
    ids (with the current shared fields, of the right kind) and is NotFound otherwise;
  - the audit rows the step wrote are exactly the expected ones: one per allowed change
    or item shown, one DENIED row per refused attempt;
  - an active share is marked "seen" exactly when some of its item reached that
    clinician (a list or an open) since it was shared, and never otherwise.
* PrivateByDefaultMachine: the same actions with no share rule at all. After every step
  every clinician's visible set is empty and nothing is ever seen (AUTHZ-5).

The four accounts are made once (argon2 is slow); each example starts from empty item
tables instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from note_kind import NOTE_TABLE, create_note_table
from sqlmodel import Session, col, select
from unit_support import AuditRow, People, audit_rows, every_kind, row_counts

from betterjournal.core import drafts, homework, items, journal, links, sharing, worksheets
from betterjournal.core.errors import InvalidInput, NotFound
from betterjournal.db import get_engine, session_scope
from betterjournal.models import AuditAction, AuditEvent, AuditOutcome, ItemShare, utcnow

KINDS = every_kind()
KIND_NAMES = tuple(kind.name for kind in KINDS)
assert {journal.KIND.name, "note"} <= set(KIND_NAMES)

RESET_TABLES = (
    "assignment",
    "homework_response",
    "item_share",
    "journal_entry",
    NOTE_TABLE,
    "item_draft",
    "client_item",
    "auth_session",
    "invitation",
    "care_link",
)  # not audit_event: append-only (AUD-4); each example checks only the rows it adds
CLIENTS = (0, 1)
CLINICIANS = (0, 1)
ALL_PAIRS = tuple((client, clinician) for client in CLIENTS for clinician in CLINICIANS)
ALLOWED, DENIED = AuditOutcome.ALLOWED, AuditOutcome.DENIED

# Valid text only: the bad-input cases have their own tests (test_bad_input.py). What is
# valid is the kind's own business: a value is drawn for each field, kept if that field's
# cleaner accepts it, and the model expects what the cleaner makes of it.
_chars = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))


def _accepts(clean: Callable[[object], str], value: str) -> bool:
    try:
        clean(value)
    except InvalidInput:
        return False
    return True


def field_values(kind: items.Kind) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries(
        {
            f.name: st.text(_chars, max_size=16).filter(lambda value, f=f: _accepts(f.clean, value))
            for f in kind.fields
        }
    )


def kind_and_values() -> st.SearchStrategy[tuple[str, dict[str, str]]]:
    return st.sampled_from(KIND_NAMES).flatmap(
        lambda name: st.tuples(st.just(name), field_values(items.kind_named(name)))
    )


def cleaned(kind: items.Kind, values: dict[str, str]) -> dict[str, str]:
    return {f.name: f.clean(values[f.name]) for f in kind.fields}


@dataclass
class Item:
    owner: int
    kind: str
    fields: dict[str, str]
    deleted: bool = False

    def shared_fields(self) -> dict[str, str]:
        return {name: self.fields[name] for name in items.kind_named(self.kind).shared_field_names}


@dataclass
class Model:
    items: dict[uuid.UUID, Item] = field(default_factory=dict)
    links: set[tuple[int, int]] = field(default_factory=set)  # (client, clinician)
    # Active shares (item, clinician), each with whether it has been seen since it was made.
    shares: dict[tuple[uuid.UUID, int], bool] = field(default_factory=dict)

    # Ids are random, so anything drawn from is listed in creation order: sorted by id,
    # a draw (an index into the list) would mean something else when Hypothesis replays.

    def rank(self, item_id: uuid.UUID) -> int:
        return list(self.items).index(item_id)

    def ordered_ids(self, ids: set[uuid.UUID]) -> list[uuid.UUID]:
        return sorted(ids, key=self.rank)

    def ordered_shares(self) -> list[tuple[uuid.UUID, int]]:
        return sorted(self.shares, key=lambda pair: (self.rank(pair[0]), pair[1]))

    def visible(self, clinician: int) -> set[uuid.UUID]:
        return {
            item_id
            for item_id, shared_with in self.shares
            if shared_with == clinician
            and (self.items[item_id].owner, clinician) in self.links
            and not self.items[item_id].deleted
        }

    def can_open(self, clinician: int, item_id: uuid.UUID, kind: str) -> bool:
        return item_id in self.visible(clinician) and self.items[item_id].kind == kind

    def shares_of_item(self, item_id: uuid.UUID) -> list[int]:
        return [c for (i, c) in self.shares if i == item_id]


@dataclass
class Given:
    """Homework a clinician assigned, and the client's response once they answered it."""

    client: int
    clinician: int
    response: uuid.UUID | None = None


def _answerable(text: str) -> bool:
    try:
        worksheets.clean_value(worksheets.THOUGHT_RECORD.field_named("situation"), text)
    except InvalidInput:
        return False
    return bool(text.strip())


class _Machine(RuleBasedStateMachine):
    """Everything but sharing. Subclasses add share rules and their invariant."""

    people: People  # set by the test before running
    can_return = False  # whether homework may be returned (returning is sharing)

    made = Bundle("items")
    assigned = Bundle("assignments")

    def __init__(self) -> None:
        super().__init__()
        with session_scope() as session:
            connection = session.connection()
            for table in RESET_TABLES:
                connection.exec_driver_sql(f"DELETE FROM {table}")  # noqa: S608 - constant names
            last_audited = connection.exec_driver_sql("SELECT max(id) FROM audit_event").scalar()
        self.model = Model()
        self.given: dict[uuid.UUID, Given] = {}
        self.clients = (self.people.client_a.id, self.people.client_b.id)
        self.clinicians = (self.people.clinician_a.id, self.people.clinician_b.id)
        self.audited = last_audited or 0  # the last audit row id checked

    # --- audit: every step writes exactly the rows it should -----------------------------

    def expect_audit(self, expected: list[AuditRow]) -> None:
        with session_scope() as session:
            events = list(session.exec(select(AuditEvent).where(col(AuditEvent.id) > self.audited)))
        self.audited = max([self.audited, *(e.id or 0 for e in events)])
        assert sorted(audit_rows(events), key=repr) == sorted(expected, key=repr)

    def refused(self, call: Callable[[Session], object], row: AuditRow) -> None:
        """Refused with the one NotFound, and audited as one DENIED row."""
        with pytest.raises(NotFound) as caught, session_scope() as session:
            call(session)
        assert str(caught.value) == str(NotFound())
        self.expect_audit([row])

    def owner_of(self, item_id: uuid.UUID) -> uuid.UUID | None:
        """Whose record a refused attempt on this id names (AUD-1): its owner, if it is an item."""
        item = self.model.items.get(item_id)
        return self.clients[item.owner] if item is not None else None

    def revoked_rows(self, owner: int, pairs: list[tuple[uuid.UUID, int]]) -> list[AuditRow]:
        who = self.clients[owner]
        return [(AuditAction.REVOKE, ALLOWED, who, who, item_id) for item_id, _ in pairs]

    # --- items ---------------------------------------------------------------------------

    @rule(target=made, client=st.sampled_from(CLIENTS), drawn=kind_and_values())
    def create_item(self, client: int, drawn: tuple[str, dict[str, str]]) -> uuid.UUID:
        kind = items.kind_named(drawn[0])
        item_id = uuid.uuid4()
        with session_scope() as session:
            created = items.save(
                session, owner_id=self.clients[client], kind=kind, item_id=item_id, values=drawn[1]
            )
        assert created
        self.expect_audit([])
        self.model.items[item_id] = Item(client, kind.name, cleaned(kind, drawn[1]))
        return item_id

    @rule(item_id=made, data=st.data(), as_owner=st.booleans(), as_kind=st.sampled_from(KIND_NAMES))
    def edit_item(self, item_id: uuid.UUID, data: st.DataObject, as_owner: bool, as_kind: str) -> None:
        item = self.model.items[item_id]
        kind = items.kind_named(as_kind)
        values = data.draw(field_values(kind), label="values")
        who = self.clients[item.owner if as_owner else 1 - item.owner]

        def call(session: Session) -> None:
            items.save(session, owner_id=who, kind=kind, item_id=item_id, values=values)

        if as_owner and not item.deleted and as_kind == item.kind:
            with session_scope() as session:
                call(session)
            self.expect_audit([])
            item.fields = cleaned(kind, values)
        else:
            self.refused(call, (AuditAction.WRITE_ITEM, DENIED, who, self.owner_of(item_id), item_id))

    @rule(item_id=st.one_of(made, st.builds(uuid.uuid4)), data=st.data(), as_owner=st.booleans())
    def draft(self, item_id: uuid.UUID, data: st.DataObject, as_owner: bool) -> None:
        """Drafts never change what anyone else sees (AUTHZ-8: never drafts)."""
        item = self.model.items.get(item_id)
        owner = item.owner if item else data.draw(st.sampled_from(CLIENTS), label="owner")
        kind = items.kind_named(item.kind if item else data.draw(st.sampled_from(KIND_NAMES), label="kind"))
        values = {name: f"DRAFT {name}" for name in kind.field_names}
        who = self.clients[owner if as_owner else 1 - owner]

        def call(session: Session) -> None:
            drafts.save(session, owner_id=who, kind=kind, item_id=item_id, values=values)

        if item is None or (as_owner and not item.deleted):
            with session_scope() as session:
                call(session)
            self.expect_audit([])
        else:
            self.refused(call, (AuditAction.WRITE_ITEM, DENIED, who, self.owner_of(item_id), item_id))

    @rule(item_id=made, as_owner=st.booleans())
    def delete_item(self, item_id: uuid.UUID, as_owner: bool) -> None:
        item = self.model.items[item_id]
        who = self.clients[item.owner if as_owner else 1 - item.owner]
        if as_owner and not item.deleted:
            gone = [(i, c) for (i, c) in self.model.shares if i == item_id]
            with session_scope() as session:
                kind, revoked = items.delete_item(session, owner_id=who, item_id=item_id)
            assert (kind, revoked) == (item.kind, sorted(self.clinicians[c] for _, c in gone))
            self.expect_audit(
                [*self.revoked_rows(item.owner, gone), (AuditAction.DELETE, ALLOWED, who, who, item_id)]
            )
            item.deleted = True
            for pair in gone:
                del self.model.shares[pair]
        else:
            self.refused(
                lambda s: items.delete_item(s, owner_id=who, item_id=item_id),
                (AuditAction.DELETE, DENIED, who, self.owner_of(item_id), item_id),
            )

    # --- homework: a response is an item; returning it is sharing it ---------------------------

    @rule(target=assigned, client=st.sampled_from(CLIENTS), clinician=st.sampled_from(CLINICIANS))
    def assign(self, client: int, clinician: int):
        who = self.clinicians[clinician]

        def call(session: Session) -> list[uuid.UUID]:
            return homework.assign(
                session,
                clinician_id=who,
                client_id=self.clients[client],
                template="builtin:thought_record",
                today=utcnow().date(),
            )

        if (client, clinician) not in self.model.links:
            self.refused(call, (AuditAction.ASSIGN, DENIED, who, self.clients[client], None))
            return multiple()
        with session_scope() as session:
            (made,) = call(session)
        self.expect_audit([(AuditAction.ASSIGN, ALLOWED, who, self.clients[client], made)])
        self.given[made] = Given(client, clinician)
        return made

    @rule(
        assignment=assigned,
        answer=st.text(_chars, min_size=1, max_size=16).filter(_answerable),
        return_it=st.booleans(),
    )
    def do_homework(self, assignment: uuid.UUID, answer: str, return_it: bool) -> None:
        """The client answers (a new response, or the same one again), keeps it private or
        returns it: only a returned response is ever visible to the clinician."""
        given = self.given[assignment]
        return_it = return_it and self.can_return
        owner = self.clients[given.client]
        response = given.response or uuid.uuid4()
        values = homework.response_values(worksheets.THOUGHT_RECORD, {"situation": answer})

        def call(session: Session) -> None:
            homework.save_response(
                session,
                client_id=owner,
                item_id=response,
                assignment_id=assignment,
                worksheet=None,
                answers={"situation": answer},
                return_it=return_it,
            )

        if return_it and (given.client, given.clinician) not in self.model.links:
            with pytest.raises(InvalidInput), session_scope() as session:
                call(session)  # nothing kept: not even the answers (one unit of work)
            self.expect_audit([])
            return
        with session_scope() as session:
            call(session)
        sharing_now = return_it and (response, given.clinician) not in self.model.shares
        self.expect_audit([(AuditAction.SHARE, ALLOWED, owner, owner, response)] if sharing_now else [])
        if given.response is None:
            self.model.items[response] = Item(given.client, homework.KIND.name, values)
            given.response = response
        self.model.items[response].fields = values
        if return_it:
            self.model.shares.setdefault((response, given.clinician), False)

    @rule(assignment=assigned, clinician=st.sampled_from(CLINICIANS))
    def clinician_opens_the_response(self, assignment: uuid.UUID, clinician: int) -> None:
        given, who = self.given[assignment], self.clinicians[clinician]

        def call(session: Session) -> homework.Returned:
            return homework.open_returned(
                session, clinician_id=who, assignment_id=assignment, today=utcnow().date()
            )

        theirs = clinician == given.clinician and (given.client, clinician) in self.model.links
        if theirs and given.response is not None and given.response in self.model.visible(clinician):
            with session_scope() as session:
                opened = call(session)
            assert opened.item_id == str(given.response)
            item = self.model.items[given.response]
            assert opened.answers == worksheets.answers_from(item.fields["answers"])
            self.expect_audit(self.reveal(clinician, [given.response]))
        elif theirs and given.response is not None:
            self.refused(
                call, (AuditAction.VIEW_SHARED_ITEM, DENIED, who, self.clients[given.client], given.response)
            )
        else:
            self.refused(
                call, (AuditAction.VIEW_SHARED_ITEM, DENIED, who, self.clients[given.client], assignment)
            )

    def returned_homework_matches_the_model(self, session: Session) -> None:
        """What each clinician is told was returned is exactly the responses they can see."""
        for clinician in CLINICIANS:
            waiting = homework.to_review(session, clinician_id=self.clinicians[clinician])
            expected = {
                str(assignment)
                for assignment, given in self.given.items()
                if given.clinician == clinician and given.response in self.model.visible(clinician)
            }
            assert {w.assignment_id for w in waiting} == expected

    # --- links -----------------------------------------------------------------------------

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
        who = self.clients[client]
        already = (client, clinician) in self.model.links
        self.expect_audit([] if already else [(AuditAction.LINK, ALLOWED, who, who, None)])
        self.model.links.add((client, clinician))  # linking again revives no share

    @rule(client=st.sampled_from(CLIENTS), clinician=st.sampled_from(CLINICIANS))
    def unlink(self, client: int, clinician: int) -> None:
        ids = (self.clients[client], self.clinicians[clinician])
        if (client, clinician) in self.model.links:
            with session_scope() as session:
                links.end_link(session, client_id=ids[0], clinician_id=ids[1])
            gone = [
                (i, c)
                for (i, c) in self.model.shares
                if c == clinician and self.model.items[i].owner == client
            ]
            self.expect_audit(
                [*self.revoked_rows(client, gone), (AuditAction.UNLINK, ALLOWED, ids[0], ids[0], None)]
            )
            self.model.links.discard((client, clinician))
            for pair in gone:
                del self.model.shares[pair]
        else:
            with pytest.raises(InvalidInput), session_scope() as session:
                links.end_link(session, client_id=ids[0], clinician_id=ids[1])
            self.expect_audit([])

    @precondition(lambda self: bool(self.model.links))
    @rule(data=st.data())
    def unlink_a_linked_pair(self, data: st.DataObject) -> None:
        """Ending an existing link, chosen directly, so it happens often enough."""
        client, clinician = data.draw(st.sampled_from(sorted(self.model.links)), label="unlink")
        self.unlink(client, clinician)

    # --- the owner's reads -------------------------------------------------------------------

    @rule(item_id=made, as_owner=st.booleans())
    def owner_reads(self, item_id: uuid.UUID, as_owner: bool) -> None:
        self.check_owner_read(item_id, as_owner)

    def check_owner_read(self, item_id: uuid.UUID, as_owner: bool = True) -> None:
        item = self.model.items[item_id]
        who = self.clients[item.owner if as_owner else 1 - item.owner]
        kind = items.kind_named(item.kind)
        if item.deleted or not as_owner:
            self.refused(
                lambda s: items.open_own(s, owner_id=who, kind=kind, item_id=item_id),
                (AuditAction.VIEW_ITEM, DENIED, who, self.owner_of(item_id), item_id),
            )
            return
        with session_scope() as session:
            shown = items.open_own(session, owner_id=who, kind=kind, item_id=item_id)
            shares = sharing.shares_of(session, owner_id=who, item_ids=[item_id])[item_id]
        self.expect_audit([])
        assert shown.fields == item.fields
        linked = [c for c in CLINICIANS if (item.owner, c) in self.model.links]
        assert {s.clinician_id for s in shares} == {self.clinicians[c] for c in linked}
        assert {s.clinician_id for s in shares if s.shared_at is not None} == {
            self.clinicians[c] for c in self.model.shares_of_item(item_id)
        }

    # --- the clinician's reads ----------------------------------------------------------------

    def reveal(self, clinician: int, item_ids: list[uuid.UUID]) -> list[AuditRow]:
        """The content of these items reached the clinician: seen, and one row each."""
        for item_id in item_ids:
            self.model.shares[(item_id, clinician)] = True
        who = self.clinicians[clinician]
        return [
            (AuditAction.VIEW_SHARED_ITEM, ALLOWED, who, self.clients[self.model.items[i].owner], i)
            for i in item_ids
        ]

    @rule(
        clinician=st.sampled_from(CLINICIANS),
        item_id=st.one_of(made, st.builds(uuid.uuid4)),
        as_kind=st.sampled_from(KIND_NAMES),
    )
    def open_one(self, clinician: int, item_id: uuid.UUID, as_kind: str) -> None:
        self.check_open(clinician, item_id, as_kind)

    def check_open(self, clinician: int, item_id: uuid.UUID, as_kind: str) -> None:
        who, kind = self.clinicians[clinician], items.kind_named(as_kind)
        if self.model.can_open(clinician, item_id, as_kind):
            with session_scope() as session:
                shown = sharing.open_shared(session, clinician_id=who, item_id=item_id, kind=kind)
            item = self.model.items[item_id]
            assert (shown.id, shown.kind, shown.fields) == (item_id, item.kind, item.shared_fields())
            assert shown.owner_id == self.clients[item.owner]
            self.expect_audit(self.reveal(clinician, [item_id]))
        else:
            self.refused(
                lambda s: sharing.open_shared(s, clinician_id=who, item_id=item_id, kind=kind),
                (AuditAction.VIEW_SHARED_ITEM, DENIED, who, self.owner_of(item_id), item_id),
            )

    @rule(
        clinician=st.sampled_from(CLINICIANS),
        item_ids=st.lists(st.one_of(made, st.builds(uuid.uuid4)), min_size=1, max_size=3, unique=True),
        as_kind=st.sampled_from(KIND_NAMES),
    )
    def open_several(self, clinician: int, item_ids: list[uuid.UUID], as_kind: str) -> None:
        who, kind = self.clinicians[clinician], items.kind_named(as_kind)
        refused = [i for i in item_ids if not self.model.can_open(clinician, i, as_kind)]
        if refused:  # all or nothing: the first refused id is the one audited
            self.refused(
                lambda s: sharing.open_shared_many(s, clinician_id=who, item_ids=list(item_ids), kind=kind),
                (AuditAction.VIEW_SHARED_ITEM, DENIED, who, self.owner_of(refused[0]), refused[0]),
            )
            return
        with session_scope() as session:
            shown = sharing.open_shared_many(session, clinician_id=who, item_ids=list(item_ids), kind=kind)
        assert [s.id for s in shown] == item_ids
        assert [s.fields for s in shown] == [self.model.items[i].shared_fields() for i in item_ids]
        self.expect_audit(self.reveal(clinician, item_ids))

    @rule(
        clinician=st.sampled_from(CLINICIANS),
        client=st.sampled_from(CLIENTS),
        as_kind=st.sampled_from(KIND_NAMES),
    )
    def list_shared(self, clinician: int, client: int, as_kind: str) -> None:
        who, kind = self.clinicians[clinician], items.kind_named(as_kind)

        def call(session: Session):
            return sharing.list_shared(session, clinician_id=who, client_id=self.clients[client], kind=kind)

        if (client, clinician) not in self.model.links:
            self.refused(call, (AuditAction.VIEW_SHARED_LIST, DENIED, who, self.clients[client], None))
            return
        with session_scope() as session:
            page = call(session)
        expected = {
            i
            for i in self.model.visible(clinician)
            if self.model.items[i].owner == client and self.model.items[i].kind == as_kind
        }
        assert page.older is None  # a handful of items: one page
        assert {s.id for s in page.items} == expected
        assert len(page.items) == len(expected)
        order = [(s.created_at, s.id) for s in page.items]
        assert order == sorted(order, reverse=True)  # newest first
        for shown in page.items:
            assert shown.fields == self.model.items[shown.id].shared_fields()
        self.expect_audit(self.reveal(clinician, [s.id for s in page.items]))

    # --- invariants (one unit of work per step: there are many steps) -------------------------

    def actual_visible(self, session: Session, clinician: int) -> set[uuid.UUID]:
        return sharing.visible_item_ids(session, clinician_id=self.clinicians[clinician])

    @invariant()
    def the_database_matches_the_model(self) -> None:
        with session_scope() as session:
            self.visible_sets_match_the_model(session)
            self.returned_homework_matches_the_model(session)
            self.active_shares_and_seen_marks_match_the_model(session)
            self.owners_see_who_each_item_is_shared_with_and_seen_by(session)

    def visible_sets_match_the_model(self, session: Session) -> None:
        for clinician in CLINICIANS:
            assert self.actual_visible(session, clinician) == self.model.visible(clinician)

    def active_shares_and_seen_marks_match_the_model(self, session: Session) -> None:
        """Every unrevoked share is one the model has, over an active link, and it is marked
        seen exactly when some of its item reached that clinician since it was made."""
        rows = session.exec(
            select(ItemShare.item_id, ItemShare.clinician_id, ItemShare.first_seen_at).where(
                col(ItemShare.revoked_at).is_(None)
            )
        ).all()
        index = {clinician_id: n for n, clinician_id in enumerate(self.clinicians)}
        actual = {(item_id, index[c]): seen_at is not None for item_id, c, seen_at in rows}
        assert actual == self.model.shares

    def owners_see_who_each_item_is_shared_with_and_seen_by(self, session: Session) -> None:
        """The "Shared with …" label of the owner's list names exactly the clinicians who
        can see the item, and "Seen by" (AUD-3) exactly those it reached."""
        names = (self.people.clinician_a.name, self.people.clinician_b.name)
        for client in CLIENTS:
            live = [i for i, e in self.model.items.items() if e.owner == client and not e.deleted]
            if not live:
                continue
            labels = sharing.shared_with(session, owner_id=self.clients[client], item_ids=live)
            shares = sharing.shares_of(session, owner_id=self.clients[client], item_ids=live)
            for item_id in live:
                expected = {names[c] for c in CLINICIANS if item_id in self.model.visible(c)}
                assert set(labels.get(item_id, [])) == expected
                seen = {self.clinicians[c] for c in CLINICIANS if self.model.shares.get((item_id, c), False)}
                assert {s.clinician_id for s in shares[item_id] if s.seen_at is not None} == seen

    def teardown(self) -> None:
        # Every id the run made: the owner sees the current fields and share states, and
        # each clinician can open exactly the visible ones, as their own kind only.
        for item_id in self.model.items:
            self.check_owner_read(item_id)
            for clinician in CLINICIANS:
                for as_kind in KIND_NAMES:
                    self.check_open(clinician, item_id, as_kind)


class VisibilityMachine(_Machine):
    can_return = True

    @rule(
        item_id=_Machine.made,
        clinician=st.sampled_from(CLINICIANS),
        shared=st.booleans(),
        as_owner=st.booleans(),
    )
    def set_shared(self, item_id: uuid.UUID, clinician: int, shared: bool, as_owner: bool) -> None:
        item = self.model.items[item_id]
        who = self.clients[item.owner if as_owner else 1 - item.owner]

        def call(session: Session) -> None:
            sharing.set_shared(
                session,
                owner_id=who,
                item_id=item_id,
                clinician_id=self.clinicians[clinician],
                shared=shared,
            )

        if not as_owner or item.deleted:
            action = AuditAction.SHARE if shared else AuditAction.REVOKE
            self.refused(call, (action, DENIED, who, self.owner_of(item_id), item_id))
        elif shared and (item.owner, clinician) not in self.model.links:
            with session_scope() as session:
                before = row_counts(session, ("item_share",))
            with pytest.raises(InvalidInput), session_scope() as session:
                call(session)
            with session_scope() as session:
                assert row_counts(session, ("item_share",)) == before
            self.expect_audit([])
        else:
            self.apply_share(item_id, clinician, shared)

    def shareable(self) -> list[tuple[uuid.UUID, int]]:
        """Live items and clinicians their owner is linked to, not yet shared."""
        return [
            (item_id, clinician)
            for item_id, item in self.model.items.items()  # in creation order
            for clinician in CLINICIANS
            if not item.deleted
            and (item.owner, clinician) in self.model.links
            and (item_id, clinician) not in self.model.shares
        ]

    def apply_share(self, item_id: uuid.UUID, clinician: int, shared: bool) -> None:
        owner = self.clients[self.model.items[item_id].owner]
        with session_scope() as session:
            sharing.set_shared(
                session,
                owner_id=owner,
                item_id=item_id,
                clinician_id=self.clinicians[clinician],
                shared=shared,
            )
        changed = shared != ((item_id, clinician) in self.model.shares)
        action = AuditAction.SHARE if shared else AuditAction.REVOKE
        self.expect_audit([(action, ALLOWED, owner, owner, item_id)] if changed else [])
        if shared:
            self.model.shares.setdefault((item_id, clinician), False)  # a new share: not seen
        else:
            self.model.shares.pop((item_id, clinician), None)

    # Random choices rarely line up a live item, a link and a share; these rules pick
    # valid combinations so that sharing, revoking and reading happen often.

    @precondition(lambda self: bool(self.shareable()))
    @rule(data=st.data())
    def share_with_a_linked_clinician(self, data: st.DataObject) -> None:
        item_id, clinician = data.draw(st.sampled_from(self.shareable()), label="share")
        self.apply_share(item_id, clinician, True)

    @precondition(lambda self: bool(self.model.shares))
    @rule(data=st.data())
    def revoke_a_share(self, data: st.DataObject) -> None:
        item_id, clinician = data.draw(st.sampled_from(self.model.ordered_shares()), label="revoke")
        self.apply_share(item_id, clinician, False)

    @precondition(lambda self: any(self.model.visible(c) for c in CLINICIANS))
    @rule(data=st.data())
    def open_a_visible_item(self, data: st.DataObject) -> None:
        """Opens of visible items are rare by chance; make sure they happen."""
        clinician = data.draw(
            st.sampled_from([c for c in CLINICIANS if self.model.visible(c)]), label="clinician"
        )
        item_id = data.draw(
            st.sampled_from(self.model.ordered_ids(self.model.visible(clinician))), label="item"
        )
        self.check_open(clinician, item_id, self.model.items[item_id].kind)

    @precondition(lambda self: any(self.model.visible(c) for c in CLINICIANS))
    @rule(data=st.data())
    def list_a_client_with_something_shared(self, data: st.DataObject) -> None:
        clinician = data.draw(
            st.sampled_from([c for c in CLINICIANS if self.model.visible(c)]), label="clinician"
        )
        item_id = data.draw(
            st.sampled_from(self.model.ordered_ids(self.model.visible(clinician))), label="item"
        )
        item = self.model.items[item_id]
        self.list_shared(clinician, item.owner, item.kind)


class PrivateByDefaultMachine(_Machine):
    @invariant()
    def nothing_is_visible_or_shared(self) -> None:
        with session_scope() as session:
            for clinician in CLINICIANS:
                assert self.actual_visible(session, clinician) == set()
            assert row_counts(session, ("item_share",)) == {"item_share": 0}


def machine_settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def test_clinicians_see_exactly_what_is_shared_over_an_active_link(db) -> None:
    create_note_table(get_engine())
    VisibilityMachine.people = db
    run_state_machine_as_test(VisibilityMachine, settings=machine_settings(60))


def test_without_a_share_nothing_is_ever_visible(db) -> None:
    create_note_table(get_engine())
    PrivateByDefaultMachine.people = db
    run_state_machine_as_test(PrivateByDefaultMachine, settings=machine_settings(25))
