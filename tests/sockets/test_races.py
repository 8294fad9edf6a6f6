"""Races over the raw socket, against the running app (AUTHN-8, AUTHZ-2, PRIV-2).

Many tabs prepare the same step, then send it at the same moment (`asyncio.gather` once
every tab is primed), round after round: a check-then-write window in a handler or in the
core shows up as a second link from one code, or as a share that outlives its link.
What happened is read from the database through a read-only connection.

Registration over HTTP is throttled per client address (every test comes from 127.0.0.1,
and the end-to-end tests register too), so only a handful of registrations race here,
once; the many-round registration race is in tests/unit/test_invitation_races.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from appserver import RunningApp
from socket_support import (
    Actor,
    connect,
    connected,
    database_path,
    invitation_code,
    link,
    new_password,
    new_people,
    problem_of,
    secrets_in,
    set_shared,
    state_of,
    uuid_hex,
    write_entry,
)
from socketclient import EventClient, form_token_from, handler_name, post_form, sign_in

from betterjournal import routes
from betterjournal.state.base import AppState
from betterjournal.state.care_team import CareTeamState
from betterjournal.state.checkins import ClientCheckInsState
from betterjournal.state.clinician import SharedWithMeState
from betterjournal.state.items import ItemSharingState
from betterjournal.state.journal import EntryState

RACERS = 8
ROUNDS = 50
CARE: dict[str, Any] = {"path": routes.CARE_TEAM}


# --- who races ---------------------------------------------------------------------------


@dataclass
class Cast:
    app: RunningApp
    clinician: Actor
    racers: list[Actor]  # clients who all accept the same codes
    sharer: Actor  # the client whose share races the end of the link


@pytest.fixture(scope="module")
async def cast(running_app: RunningApp) -> Cast:
    suffix = uuid.uuid4().hex[:8]

    def actor(label: str, role: str) -> Actor:
        return Actor(
            label, role, f"race-{label}-{suffix}@example.com", f"Race {label} {suffix}", new_password()
        )

    clinician, sharer = actor("dr", "clinician"), actor("sharer", "client")
    racers = [actor(f"racer{i}", "client") for i in range(RACERS)]
    everyone = [clinician, sharer, *racers]
    await asyncio.gather(
        *(asyncio.to_thread(running_app.create_user, a.role, a.email, a.name, a.password) for a in everyone)
    )
    for person in everyone:
        person.cookie = await sign_in(running_app.url, person.email, person.password)
        person.id = str(uuid.UUID(user_id_hex(running_app, person.email)))
    return Cast(app=running_app, clinician=clinician, racers=racers, sharer=sharer)


@contextlib.asynccontextmanager
async def tabs_of(app: RunningApp, people: list[Actor]) -> AsyncIterator[list[EventClient]]:
    tabs = [await connect(app, person.cookie) for person in people]
    try:
        yield tabs
    finally:
        for tab in tabs:
            with contextlib.suppress(Exception):
                await tab.close()


# --- the database, read-only ---------------------------------------------------------------


def query(app: RunningApp, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"file:{database_path(app)}?mode=ro", uri=True, timeout=10)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def user_id_hex(app: RunningApp, email: str) -> str:
    return query(app, "SELECT id FROM user_account WHERE email = ?", email)[0][0]


def active_links(app: RunningApp, clinician: Actor) -> list[str]:
    """Client ids (hex) with an active link to this clinician."""
    rows = query(
        app,
        "SELECT client_id FROM care_link WHERE clinician_id = ? AND ended_at IS NULL",
        uuid.UUID(clinician.id).hex,
    )
    return [row[0] for row in rows]


def latest_invitation(app: RunningApp, clinician: Actor) -> tuple[Any, ...]:
    """(used_at, used_by_id) of the clinician's newest invitation."""
    return query(
        app,
        "SELECT used_at, used_by_id FROM invitation WHERE clinician_id = ? ORDER BY created_at DESC LIMIT 1",
        uuid.UUID(clinician.id).hex,
    )[0]


# Active shares whose item's owner has no active link to the clinician shared with.
ORPHAN_SHARES = """
    SELECT s.id, i.owner_id, s.clinician_id FROM item_share s
    JOIN client_item i ON i.id = s.item_id
    WHERE s.revoked_at IS NULL AND NOT EXISTS (
        SELECT 1 FROM care_link l
        WHERE l.client_id = i.owner_id AND l.clinician_id = s.clinician_id AND l.ended_at IS NULL
    )
"""


# --- steps ----------------------------------------------------------------------------------


def clinicians_in(updates: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    return state_of(updates, CareTeamState).get("clinicians")


async def check_code(tab: EventClient, code: str) -> list[dict[str, Any]]:
    return await tab.exchange(handler_name(CareTeamState, "check_code"), {"form": {"code": code}}, **CARE)


async def accept(tab: EventClient) -> list[dict[str, Any]]:
    return await tab.exchange(handler_name(CareTeamState, "accept_invitation"), **CARE)


async def end_link(tab: EventClient, clinician: Actor) -> list[dict[str, Any]]:
    return await tab.exchange(handler_name(CareTeamState, "end_link"), {"clinician_id": clinician.id}, **CARE)


async def link_with_new_code(clinician_tab: EventClient, client_tab: EventClient, clinician: Actor) -> None:
    code = await invitation_code(clinician_tab)
    await check_code(client_tab, code)
    people = clinicians_in(await accept(client_tab)) or []
    assert [p["id"] for p in people] == [clinician.id], f"linking failed: {people}"


async def invalid_code_refusal(tab: EventClient) -> str:
    """The message a made-up code gets: every lost race must show exactly this."""
    refusal = problem_of(await check_code(tab, "NOT-A-REAL-CODE"))
    assert refusal, "a made-up code was not refused"
    return refusal


# --- 1. one code, many tabs accepting at once ------------------------------------------------


async def test_a_double_tap_on_accept_links_once_and_says_nothing_went_wrong(running_app: RunningApp) -> None:
    """A walk-through double-tapped "Accept": the second tap found the offer gone and said
    "This item isn't available", under the clinician just listed as connected."""
    people = await new_people(running_app, "twice", dr="clinician", client="client")
    dr, client = people["dr"], people["client"]
    async with tabs_of(running_app, [dr, client]) as (dr_tab, client_tab):
        await check_code(client_tab, await invitation_code(dr_tab))
        first, second = await accept(client_tab), await accept(client_tab)
    said = f"You're connected with {dr.name}. Nothing is shared until you choose to share an entry."
    for reply in (first, second):
        assert problem_of(reply) == ""
    assert state_of(first, AppState)["notice"] == said
    assert state_of(second, AppState)["notice"] == said  # said again, not cleared
    assert [p["name"] for p in clinicians_in(first) or []] == [dr.name]
    assert (
        len(
            query(
                running_app,
                "SELECT id FROM care_link WHERE ended_at IS NULL AND client_id = ?",
                user_id_hex(running_app, client.email),
            )
        )
        == 1
    )


async def test_one_code_accepted_by_many_tabs_at_once_links_exactly_one(cast: Cast) -> None:
    app, clinician = cast.app, cast.clinician
    async with (
        connected(app, clinician.cookie) as clinician_tab,
        tabs_of(app, cast.racers) as tabs,
    ):
        refusal = await invalid_code_refusal(tabs[0])
        for round_number in range(ROUNDS):
            where = f"round {round_number}"
            code = await invitation_code(clinician_tab)
            checked = await asyncio.gather(*(check_code(tab, code) for tab in tabs))
            offered = [state_of(reply, CareTeamState).get("invitation_from") for reply in checked]
            assert offered == [clinician.name] * RACERS, f"{where}: not every tab was primed: {offered}"

            replies = await asyncio.gather(*(accept(tab) for tab in tabs))

            winners = [i for i, reply in enumerate(replies) if clinicians_in(reply)]
            linked = active_links(app, clinician)
            used_at, used_by = latest_invitation(app, clinician)
            assert len(linked) == 1, f"{where}: one code linked {len(linked)} clients"
            assert len(winners) == 1, f"{where}: {len(winners)} tabs were told they are connected"
            winner = cast.racers[winners[0]]
            assert linked == [uuid.UUID(winner.id).hex] == [used_by], where
            assert used_at is not None, where
            losers = [problem_of(reply) for i, reply in enumerate(replies) if i != winners[0]]
            assert losers == [refusal] * (RACERS - 1), f"{where}: {Counter(losers)}"

            # Back to no link at all for the next round.
            ended = await end_link(tabs[winners[0]], clinician)
            assert clinicians_in(ended) == [], f"{where}: the winner could not end the link"
            assert active_links(app, clinician) == [], where


# --- 2. a share racing the end of the link ----------------------------------------------------


# Tabs that each share their own entry while the link ends: every one is a chance to land
# in a check-then-write window (measured with the race open: 1 tab left an orphan share in
# about 1 round in 7, 4 tabs in about 1 round in 2).
SHARING_TABS = 4


async def list_of_clinician(app: RunningApp, clinician: Actor, client: Actor) -> dict[str, Any]:
    """The clinician's list of the client's shared entries, opened on a fresh tab."""
    async with connected(app, clinician.cookie) as tab:
        updates = await tab.exchange(
            handler_name(SharedWithMeState, "load_client_entries"),
            path=routes.CLIENT_ENTRIES,
            query={"client": client.id},
        )
    return state_of(updates, SharedWithMeState)


async def test_a_share_racing_the_end_of_the_link_never_outlives_it(cast: Cast) -> None:
    """Tab 1 (and a few more, each on its own entry) shares an entry with the clinician
    while another tab ends the link with them, at the same moment. Whichever goes first,
    no active share may remain without an active link (PRIV-2: ending a link revokes every
    share; AUTHZ-2: sharing needs a link), and once the client links again (a new code
    each round) the clinician sees no entry at all."""
    app, clinician, sharer = cast.app, cast.clinician, cast.sharer
    share = {"clinician_id": clinician.id, "shared": True}
    outcomes: Counter[str] = Counter()
    async with (
        connected(app, clinician.cookie) as clinician_tab,
        tabs_of(app, [sharer] * (SHARING_TABS + 1)) as (care_tab, *entry_tabs),
    ):
        pages: list[dict[str, Any]] = []
        for index, tab in enumerate(entry_tabs):
            entry = await write_entry(app, tab, f"race-share-{index}")  # leaves the tab on it
            pages.append({"path": routes.ENTRY, "query": {"id": entry.id}})
        await link_with_new_code(clinician_tab, care_tab, clinician)

        async def set_all(shared: bool) -> list[list[dict[str, Any]]]:
            return await asyncio.gather(
                *(
                    tab.exchange(
                        handler_name(ItemSharingState, "set_shared"),
                        {**share, "item_id": page["query"]["id"], "shared": shared},
                        **page,
                    )
                    for tab, page in zip(entry_tabs, pages, strict=True)
                )
            )

        # Control: while linked, shares do reach the clinician's list, so the empty lists
        # below mean something. Then private again.
        await set_all(True)
        listed = await list_of_clinician(app, clinician, sharer)
        shown = sorted(e["id"] for e in listed.get("entries") or [])
        assert shown == sorted(page["query"]["id"] for page in pages), "the control shares are not listed"
        await set_all(False)

        for round_number in range(ROUNDS):
            where = f"round {round_number}"
            *shared, ended = await asyncio.gather(
                *(
                    tab.exchange(
                        handler_name(ItemSharingState, "set_shared"),
                        {**share, "item_id": page["query"]["id"]},
                        **page,
                    )
                    for tab, page in zip(entry_tabs, pages, strict=True)
                ),
                end_link(care_tab, clinician),
            )
            assert clinicians_in(ended) == [], f"{where}: ending the link failed: {problem_of(ended)}"
            for reply in shared:
                # Said beside the switch (ItemSharingState's lines), not in the page's notice.
                lines = state_of(reply, ItemSharingState).get("shares") or []
                outcomes["shared" if any(line["shared"] for line in lines) else "refused"] += 1

            orphans = query(app, ORPHAN_SHARES)
            assert orphans == [], (
                f"{where}: active shares without an active link: {orphans} (shares so far: {dict(outcomes)})"
            )

            await link_with_new_code(clinician_tab, care_tab, clinician)
            listed = await list_of_clinician(app, clinician, sharer)
            assert listed.get("list_available") is True, f"{where}: the clinician's list did not load"
            assert (listed.get("entries") or []) == [], (
                f"{where}: after linking again the clinician sees {listed.get('entries')} ({dict(outcomes)})"
            )


def views_after_the_end(app: RunningApp, item_id: str) -> list[tuple[int, int]]:
    """(the end's audit id, a view's) for each view of the item audited as allowed after its
    share's revoke or its delete was (SQLite has one writer: audit ids are in commit order)."""
    rows = query(
        app, "SELECT id, action, outcome FROM audit_event WHERE item_id = ? ORDER BY id", uuid_hex(item_id)
    )
    ended, late = None, []
    for audit_id, action, outcome in rows:
        if action in ("REVOKE", "DELETE") and outcome == "ALLOWED":
            ended = ended or audit_id
        elif action == "VIEW_SHARED_ITEM" and outcome == "ALLOWED" and ended is not None:
            late.append((ended, audit_id))
    return late


async def test_a_view_racing_a_revoke_or_a_delete_is_never_recorded_after_it(running_app: RunningApp) -> None:
    """Attack review (INPUT-6, AUD-1, AUD-3): six clinician tabs open a shared entry as its
    client revokes it (or deletes it). The read came before the unit's first write, so a
    revoke could commit between them: the view was audited as allowed after the revoke, the
    revoked share marked seen, and the words sent after the client was told the entry was
    private. Whichever goes first now, every allowed view is recorded before the end, and a
    share is marked seen only by such a view."""
    app = running_app
    people = await new_people(app, "late-view", c="clinician", e="client")
    clinician, client = people["c"], people["e"]
    await link(app, client, clinician)
    tabs = [await connect(app, clinician.cookie) for _ in range(6)]
    try:
        async with connected(app, client.cookie) as own_tab:
            for round_number in range(8):
                entry = await write_entry(app, own_tab, f"late-view-{round_number}")
                await set_shared(own_tab, entry, clinician, True)
                where: dict[str, Any] = {"path": routes.ENTRY, "query": {"id": entry.id}}
                await own_tab.exchange(handler_name(EntryState, "load_entry"), **where)
                deleting = round_number % 2 == 1
                end = (
                    own_tab.exchange(
                        handler_name(ItemSharingState, "delete_item"), {"item_id": entry.id}, **where
                    )
                    if deleting
                    else own_tab.exchange(
                        handler_name(ItemSharingState, "set_shared"),
                        {"item_id": entry.id, "clinician_id": clinician.id, "shared": False},
                        **where,
                    )
                )
                reads = [
                    tab.exchange(
                        handler_name(SharedWithMeState, "load_shared_entry"),
                        path=routes.SHARED_ENTRY,
                        query={"id": entry.id},
                    )
                    for tab in tabs
                ]
                _ended, *_replies = await asyncio.gather(end, *reads)
                what = f"round {round_number} ({'delete' if deleting else 'revoke'})"
                assert views_after_the_end(app, entry.id) == [], what
                # Marked seen only by a view recorded before the end (revoked_at is stamped as
                # the revoke's unit starts, before it waits its turn: not an order to compare).
                seen = query(
                    app, "SELECT first_seen_at FROM item_share WHERE item_id = ?", uuid_hex(entry.id)
                )
                views = query(
                    app,
                    "SELECT id FROM audit_event WHERE item_id = ? AND action = 'VIEW_SHARED_ITEM' "
                    "AND outcome = 'ALLOWED'",
                    uuid_hex(entry.id),
                )
                assert (seen[0][0] is not None) == bool(views), what
                after = await tabs[0].exchange(
                    handler_name(SharedWithMeState, "load_shared_entry"),
                    path=routes.SHARED_ENTRY,
                    query={"id": entry.id},
                )
                assert secrets_in(after, {entry.title, entry.body}) == [], what
    finally:
        for tab in tabs:
            with contextlib.suppress(Exception):
                await tab.close()


async def test_stop_sharing_everything_racing_new_shares_leaves_none_made_before_it(
    running_app: RunningApp,
) -> None:
    """Attack review: "Stop sharing everything" with a clinician while other tabs of the
    client share entries with them, at the same moment. A share may land after the stop
    (the client shared after stopping), but none made before it may stay: 11 did in 10
    rounds, while the client was told everything was private (PRIV-2, INPUT-6). One
    entry is shared before each round, so the stop always revokes something: its first
    audit row marks when it ran."""
    app = running_app
    people = await new_people(app, "stop-race", a="client", c="clinician")
    client, clinician = people["a"], people["c"]
    await link(app, client, clinician)
    async with tabs_of(app, [client] * (SHARING_TABS + 2)) as (care_tab, always_tab, *entry_tabs):
        always = await write_entry(app, always_tab, "always-shared")
        entries = [await write_entry(app, tab, f"stop-race-{i}") for i, tab in enumerate(entry_tabs)]
        await care_tab.exchange(handler_name(CareTeamState, "load_care_team"), **CARE)

        async def share(tab: EventClient, item_id: str, shared: bool = True) -> list[dict[str, Any]]:
            where = {"path": routes.ENTRY, "query": {"id": item_id}}
            payload = {"item_id": item_id, "clinician_id": clinician.id, "shared": shared}
            return await tab.exchange(handler_name(ItemSharingState, "set_shared"), payload, **where)

        left_over = []
        for round_number in range(ROUNDS // 2):
            await share(always_tab, always.id)
            for tab, entry in zip(entry_tabs, entries, strict=True):
                await share(tab, entry.id, False)
            (started,) = query(app, "SELECT max(id) FROM audit_event")[0]
            await asyncio.gather(
                care_tab.exchange(
                    handler_name(CareTeamState, "stop_sharing_everything"),
                    {"clinician_id": clinician.id},
                    **CARE,
                ),
                *(share(tab, entry.id) for tab, entry in zip(entry_tabs, entries, strict=True)),
            )
            (stopped_at,) = query(
                app,
                "SELECT min(id) FROM audit_event WHERE id > ? AND action = 'REVOKE' AND item_id = ?",
                started,
                uuid.UUID(always.id).hex,
            )[0]
            assert stopped_at is not None, f"round {round_number}: the stop revoked nothing"
            for entry in entries:
                (shared_at,) = query(
                    app,
                    "SELECT max(id) FROM audit_event WHERE id > ? AND action = 'SHARE' AND item_id = ?",
                    started,
                    uuid.UUID(entry.id).hex,
                )[0]
                (active,) = query(
                    app,
                    "SELECT count(*) FROM item_share WHERE item_id = ? AND revoked_at IS NULL",
                    uuid.UUID(entry.id).hex,
                )[0]
                if active and shared_at is not None and shared_at < stopped_at:
                    left_over.append((round_number, entry.label))
        assert left_over == [], f"shares made before the stop and left active: {left_over}"


async def test_a_scale_suggested_as_the_link_ends_never_outlives_it(running_app: RunningApp) -> None:
    """Attack review: a clinician suggests a check-in scale as the client ends the link, at
    the same moment. Ending a link retires the clinician's suggestions; one written as it
    ended stayed on the client's form (5 rounds of 16). Whichever goes first, none stays."""
    app = running_app
    people = await new_people(app, "scale-race", a="client", c="clinician")
    client, clinician = people["a"], people["c"]
    client_hex, clinician_hex = "", ""
    for round_number in range(ROUNDS // 3):
        await link(app, client, clinician)
        client_hex, clinician_hex = uuid.UUID(client.id).hex, uuid.UUID(clinician.id).hex
        async with tabs_of(app, [client, clinician]) as (care_tab, clinician_tab):
            await care_tab.exchange(handler_name(CareTeamState, "load_care_team"), **CARE)
            where = {"path": routes.CLIENT_CHECK_INS, "query": {"client": client.id}}
            await clinician_tab.exchange(handler_name(ClientCheckInsState, "load_client_check_ins"), **where)
            await asyncio.gather(
                end_link(care_tab, clinician),
                clinician_tab.exchange(
                    handler_name(ClientCheckInsState, "suggest_scale"),
                    {"form": {"name": f"Scale {round_number}"}},
                    **where,
                ),
            )
        (kept,) = query(
            app,
            "SELECT count(*) FROM check_in_scale WHERE client_id = ? AND added_by = ? AND removed_at IS NULL",
            client_hex,
            clinician_hex,
        )[0]
        assert kept == 0, f"round {round_number}: a suggestion outlived the link"
    assert active_links(app, clinician) == []


# --- 3. a handful of registrations with one code, over HTTP -----------------------------------

REGISTRATIONS = 4  # each counts toward 127.0.0.1's registration limit (20 per 15 minutes)


async def test_a_handful_of_registrations_with_one_code_make_one_account(cast: Cast) -> None:
    app = cast.app
    form_tokens = []  # one per registration page opened: each form token works once
    for _ in range(REGISTRATIONS):
        async with connected(app) as anonymous:
            form_tokens.append(
                form_token_from(
                    await anonymous.exchange(
                        handler_name(AppState, "prepare_public_page"), path=routes.REGISTER
                    )
                )
            )
    async with connected(app, cast.clinician.cookie) as clinician_tab:
        code = await invitation_code(clinician_tab)
    suffix = uuid.uuid4().hex[:8]
    emails = [f"race-register-{i}-{suffix}@example.com" for i in range(REGISTRATIONS)]
    barrier = threading.Barrier(REGISTRATIONS, timeout=30)

    def register(email: str) -> str:
        fields = {
            "form_token": form_tokens[emails.index(email)],
            "code": code,
            "name": "Race Registrant",
            "email": email,
            "password": new_password(),
        }
        barrier.wait()
        status, headers = post_form(app.url, routes.API_REGISTER, fields)
        assert status == 303, f"registration answered {status}"
        return {k.lower(): v for k, v in headers.items()}["location"]

    answers = await asyncio.gather(*(asyncio.to_thread(register, email) for email in emails))
    made = query(
        app,
        f"SELECT email FROM user_account WHERE email IN ({', '.join('?' * len(emails))})",  # noqa: S608
        *emails,
    )
    assert Counter(answers) == {
        f"{routes.SIGN_IN}?registered=1": 1,
        f"{routes.REGISTER}?error=details": REGISTRATIONS - 1,
    }
    winner = answers.index(f"{routes.SIGN_IN}?registered=1")
    assert made == [(emails[winner],)]
