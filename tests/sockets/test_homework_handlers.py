"""Homework through the running app, over the raw Socket.IO an attacker's script would use.

What a client finished but kept is invisible to the clinician until returned, and again
once taken back (in every reply the clinician's tab gets, not only on screen). A
clinician can't assign to, read or change what isn't theirs; a client can't answer
another client's assignment or write a clinician's comment; each role is turned away
from the other's handlers; every refusal the core makes is audited as DENIED; bad input
gets a clear message and writes nothing. Each check reads what actually came back over
the socket and the rows actually in the database.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import urllib.parse
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import reflex as rx
from appserver import RunningApp
from reflex.state import State
from socket_support import (
    FEEDBACK_VARS,
    OWN_IDENTITY_VARS,
    Actor,
    Snapshot,
    connect,
    connected,
    filled_vars,
    link,
    new_audit_rows,
    new_people,
    problem_of,
    pushed_values,
    reconnect_same_token,
    redirect_targets,
    redirects_of,
    snapshot,
    state_of,
    toasts_of,
    uuid_hex,
    writes_between,
)
from socketclient import EventClient, handler_name, post_form

from betterjournal import routes
from betterjournal.core import form_tokens, homework, items
from betterjournal.state.base import AppState
from betterjournal.state.care_team import CareTeamState
from betterjournal.state.clinician import ClientsState, SharedWithMeState
from betterjournal.state.homework import (
    ClientHomeworkState,
    HomeworkState,
    ReturnedState,
    WorksheetsState,
    WorksheetState,
)
from betterjournal.state.items import ItemSharingState

NOT_AVAILABLE = "This item isn't available. It may have been removed or made private."
NOT_SAVED = "This couldn't be saved. Please try again."
WORKSHEETS_PAGE: dict[str, Any] = {"path": routes.WORKSHEETS}

# C's own worksheet: one field of every type a clinician can build, as (id, label, type).
ALL_TYPES = (
    ("f1", "Where", "short_text"),
    ("f2", "What happened", "long_text"),
    ("f3", "Distress", "scale_10"),
    ("f4", "Belief", "slider_100"),
    ("f5", "Did it help", "yes_no"),
    ("f6", "When", "date"),
    ("f7", "Steps", "list"),
)


# --- the people and their homework --------------------------------------------------------


@dataclass
class Homework:
    """Clinicians C and D; client A (linked to C), client B (linked to C and to D).

    `returned`: an assignment C gave A, which A answered (`answer` in its situation field)
    and returned to C; its response is `response`. `custom`: C's worksheet with a field of
    every type.
    """

    app: RunningApp
    c: Actor
    d: Actor
    a: Actor
    b: Actor
    custom: str
    returned: str
    response: str
    answer: str
    instructions: str


async def _people(app: RunningApp, **roles: str) -> dict[str, Actor]:
    return await new_people(app, "hw", **roles)


def _client_page(client_id: str) -> dict[str, Any]:
    return {"path": routes.CLIENT_HOMEWORK, "query": {"client": client_id}}


def _worksheet_page(assignment_id: str) -> dict[str, Any]:
    return {"path": routes.WORKSHEET, "query": {"assignment": assignment_id}}


def _returned_page(assignment_id: str) -> dict[str, Any]:
    return {"path": routes.RETURNED, "query": {"assignment": assignment_id}}


def _assign_form(**fields: str) -> dict[str, str]:
    form = {
        "template": "builtin:thought_record",
        "questions": "",
        "instructions": "",
        "note": "",
        "due_on": "",
        "repeat": "",
        "times": "1",
    }
    return {**form, **fields}


async def _load_client_homework(tab: EventClient, client_id: str) -> list[dict[str, Any]]:
    return await tab.exchange(
        handler_name(ClientHomeworkState, "load_client_homework"), **_client_page(client_id)
    )


def _given(updates: list[dict[str, Any]], assignment_id: str) -> dict[str, Any]:
    given = state_of(updates, ClientHomeworkState).get("given") or []
    found = [line for line in given if line["id"] == assignment_id]
    assert len(found) == 1, f"assignment {assignment_id} is not on the clinician's list: {given}"
    return found[0]


async def _assign(app: RunningApp, clinician: Actor, client: Actor, **fields: str) -> str:
    """The clinician assigns through the page's form; returns the new assignment's id."""
    instructions = fields.pop("instructions", "") or f"Homework {uuid.uuid4().hex}"
    async with connected(app, clinician.cookie) as tab:
        await _load_client_homework(tab, client.id)
        updates = await tab.exchange(
            handler_name(ClientHomeworkState, "assign"),
            {"form": _assign_form(instructions=instructions, **fields)},
            **_client_page(client.id),
        )
    assert problem_of(updates) == "", problem_of(updates)
    assert state_of(updates, AppState).get("notice") == "Assigned."
    given = state_of(updates, ClientHomeworkState)["given"]
    (line,) = [g for g in given if g["instructions"] == instructions]
    return line["id"]


async def _open(tab: EventClient, assignment_id: str) -> list[dict[str, Any]]:
    return await tab.exchange(
        handler_name(WorksheetState, "open_worksheet"), **_worksheet_page(assignment_id)
    )


async def _client_taps(app: RunningApp, client: Actor, assignment_id: str, handler: str) -> None:
    """The client opens the assignment in a new tab and taps one of its buttons (the
    worksheet's `handler`), which the page takes without a problem."""
    async with connected(app, client.cookie) as tab:
        await _open(tab, assignment_id)
        tapped = await tab.exchange(handler_name(WorksheetState, handler), **_worksheet_page(assignment_id))
        assert problem_of(tapped) == "", tapped


async def _answer(
    tab: EventClient, assignment_id: str, field: str, value: Any, *, row: int = -1, column: str = ""
) -> list[dict[str, Any]]:
    return await tab.exchange(
        handler_name(WorksheetState, "answer"),
        {"field": field, "row": row, "column": column, "value": value},
        **_worksheet_page(assignment_id),
    )


def _answer_beacon(app: RunningApp, cookie: str, **fields: str) -> int:
    """A worksheet's text answer as a closing tab hands it to `sendBeacon` (api.keep_answer):
    the status code. `fields` as the page sends them; a field left out is the situation's
    own answer, typed with nothing seen before."""
    with app.core():
        token = form_tokens.issue()
    form = {
        "form_token": token,
        "template": "",
        "prompt": "",
        "field": "situation",
        "row": "-1",
        "column": "",
        "seen": "",
        **fields,
    }
    return post_form(app.url, routes.API_KEEP_ANSWER, form, cookie=cookie)[0]


async def _answer_and_finish(
    app: RunningApp, client: Actor, assignment_id: str, answer: str, *, finish: str
) -> str:
    """The client opens the assignment, answers its situation, then saves or returns it
    (`finish`: save_worksheet or return_worksheet). Returns the response's id."""
    async with connected(app, client.cookie) as tab:
        opened = state_of(await _open(tab, assignment_id), WorksheetState)
        assert opened["found"] is True and opened["assignment_id"] == assignment_id
        answered = await _answer(tab, assignment_id, "situation", answer)
        assert problem_of(answered) == "" and state_of(answered, WorksheetState)["status"] == "Draft saved"
        done = await tab.exchange(handler_name(WorksheetState, finish), **_worksheet_page(assignment_id))
        assert problem_of(done) == "" and redirects_of(done) == [routes.HOMEWORK], done
    return opened["item_id"]


async def _build_worksheet(
    app: RunningApp, clinician: Actor, title: str, fields: list[tuple[str, str]]
) -> str:
    """The clinician builds and saves a worksheet; returns its choice ("custom:<id>")."""
    async with connected(app, clinician.cookie) as tab:
        await tab.exchange(handler_name(WorksheetsState, "load_worksheets"), **WORKSHEETS_PAGE)
        for label, kind in fields:
            added = await tab.exchange(
                handler_name(WorksheetsState, "add_builder_field"),
                {"form": {"label": label, "type": kind}},
                **WORKSHEETS_PAGE,
            )
            assert problem_of(added) == "", problem_of(added)
        saved = await tab.exchange(
            handler_name(WorksheetsState, "save_template"),
            {"form": {"title": title, "explanation": ""}},
            **WORKSHEETS_PAGE,
        )
    assert problem_of(saved) == "", problem_of(saved)
    templates = state_of(saved, WorksheetsState)["templates"]
    return "custom:" + next(t["value"] for t in templates if t["label"] == title)


async def _quiet() -> None:
    """Let background pushes of what was just done end before snapshots are compared."""
    await asyncio.sleep(0.3)


@pytest.fixture(scope="module")
async def hw(running_app: RunningApp) -> Homework:
    app = running_app
    people = await _people(app, c="clinician", d="clinician", a="client", b="client")
    c, d, a, b = people["c"], people["d"], people["a"], people["b"]
    await link(app, a, c)
    await link(app, b, c)
    await link(app, b, d)
    custom = await _build_worksheet(app, c, "Every type", [(label, kind) for _id, label, kind in ALL_TYPES])
    instructions = f"Instructions {uuid.uuid4().hex}"
    returned = await _assign(app, c, a, instructions=instructions)
    answer = app.marker("returned-situation")
    response = await _answer_and_finish(app, a, returned, answer, finish="return_worksheet")
    await _quiet()
    return Homework(app, c, d, a, b, custom, returned, response, answer, instructions)


def _audited(before: Snapshot, after: Snapshot) -> list[tuple[str, str, str]]:
    """New audit rows as (actor, action, outcome)."""
    return [(row[1], row[3], row[4]) for row in new_audit_rows(before, after)]


def _denied(actor: Actor, action: str) -> tuple[str, str, str]:
    return (uuid_hex(actor.id), action, "DENIED")


# --- 1. completed but not returned: invisible to the clinician ------------------------------


async def test_the_assign_form_assigns_once_and_a_refused_one_can_be_sent_again_at_once(hw: Homework) -> None:
    """The form carries its round: its second sending (a double tap) assigns nothing more;
    a refused sending leaves the same form to send again straight away (a throttle dropped
    that second try in silence)."""
    app, a, c = hw.app, hw.a, hw.c
    instructions = f"Homework {uuid.uuid4().hex}"
    async with connected(app, c.cookie) as tab:
        shown = await _load_client_homework(tab, a.id)
        round_ = str(state_of(shown, ClientHomeworkState).get("assigned_round", 0))  # 0 until one is made
        assign = handler_name(ClientHomeworkState, "assign")
        page = _client_page(a.id)
        refused = await tab.exchange(assign, {"form": _assign_form(template="", round=round_)}, **page)
        assert problem_of(refused) == "Choose a worksheet from the list."
        form = _assign_form(instructions=instructions, round=round_)
        first = await tab.exchange(assign, {"form": form}, **page)
        second = await tab.exchange(assign, {"form": form}, **page)
        given = state_of(first, ClientHomeworkState)["given"]
        assert [g["instructions"] for g in given].count(instructions) == 1
        assert state_of(second, ClientHomeworkState).get("given") is None  # nothing changed
        assert state_of(second, AppState).get("notice") == "Assigned."
        # A second tap that came once the page had drawn the next, empty form (a busy phone,
        # or a quick server): CI saw "Choose a worksheet from the list." over "Assigned.".
        emptied = _assign_form(template="", round=state_of(first, ClientHomeworkState)["assigned_round"])
        late = await tab.exchange(assign, {"form": {**emptied, "round": str(emptied["round"])}}, **page)
        assert (problem_of(late), state_of(late, AppState).get("notice")) == ("", "Assigned.")
        again = await _load_client_homework(tab, a.id)
        assert [g["instructions"] for g in state_of(again, ClientHomeworkState)["given"]].count(
            instructions
        ) == 1


async def test_a_kept_response_is_invisible_until_returned_and_again_once_taken_back(hw: Homework) -> None:
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    secret = app.marker("kept-situation")
    response = await _answer_and_finish(app, a, assignment, secret, finish="save_worksheet")

    async def clinician_is_refused(stage: str) -> None:
        async with connected(app, c.cookie) as doctor:
            clients = await doctor.exchange(handler_name(ClientsState, "load_clients"), path=routes.CLIENTS)
            assert assignment not in json.dumps(state_of(clients, ClientsState).get("waiting")), stage
            line = _given(await _load_client_homework(doctor, a.id), assignment)
            assert (line["status"], line["returned"]) == ("Assigned", False), stage
            before = snapshot(app)
            refused = await doctor.exchange(
                handler_name(ReturnedState, "load_returned"), **_returned_page(assignment)
            )
            after = snapshot(app)
            assert problem_of(refused) == NOT_AVAILABLE, stage
            shown = state_of(refused, ReturnedState)
            assert shown.get("found") is not True and not shown.get("fields"), stage
            assert _audited(before, after) == [_denied(c, "VIEW_SHARED_ITEM")], stage
            assert writes_between(before, after) == [], stage
            # A reload sends the browser the whole state tree: that holds none of it either.
            await doctor.exchange(handler_name(State, "hydrate"), **_returned_page(assignment))
            # Nothing the server sent this tab, on any page, holds the answer or its id.
            sent = json.dumps(doctor.received)
            assert secret not in sent and response not in sent, stage

    await clinician_is_refused("kept private")

    async with connected(app, a.cookie) as tab:
        await _open(tab, assignment)
        returned = await tab.exchange(
            handler_name(WorksheetState, "return_worksheet"), **_worksheet_page(assignment)
        )
        assert redirects_of(returned) == [routes.HOMEWORK]
    async with connected(app, c.cookie) as doctor:
        clients = await doctor.exchange(handler_name(ClientsState, "load_clients"), path=routes.CLIENTS)
        waiting = state_of(clients, ClientsState)["waiting"]
        assert assignment in [w["assignment_id"] for w in waiting]
        line = _given(await _load_client_homework(doctor, a.id), assignment)
        assert (line["status"], line["returned"]) == ("Returned: to review", True)
        before = snapshot(app)
        shown = await doctor.exchange(
            handler_name(ReturnedState, "load_returned"), **_returned_page(assignment)
        )
        after = snapshot(app)
        read = state_of(shown, ReturnedState)
        assert problem_of(shown) == "" and read["found"] is True
        assert secret in json.dumps(read["fields"])
        assert _audited(before, after) == [(uuid_hex(c.id), "VIEW_SHARED_ITEM", "ALLOWED")]

    async with connected(app, a.cookie) as tab:
        await _open(tab, assignment)
        taken = await tab.exchange(
            handler_name(ItemSharingState, "set_shared"),
            {"item_id": response, "clinician_id": c.id, "shared": False},
            **_worksheet_page(assignment),
        )
        (share,) = state_of(taken, ItemSharingState)["shares"]
        assert share["shared"] is False
    await asyncio.sleep(0.3)  # the take-back's push to C's closed tabs is over
    await clinician_is_refused("taken back")


async def test_a_take_back_empties_the_clinicians_open_response_at_once(hw: Homework) -> None:
    """The clinician is reading the response when the client takes it back: the server
    empties that tab right away, and the page's comment and review buttons are refused."""
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    secret = app.marker("taken-back-situation")
    response = await _answer_and_finish(app, a, assignment, secret, finish="return_worksheet")
    page = _returned_page(assignment)
    async with connected(app, c.cookie) as doctor:
        shown = await doctor.exchange(handler_name(ReturnedState, "load_returned"), **page)
        assert secret in json.dumps(state_of(shown, ReturnedState)["fields"])
        since = len(doctor.received)
        async with connected(app, a.cookie) as tab:
            await _open(tab, assignment)
            await tab.exchange(
                handler_name(ItemSharingState, "set_shared"),
                {"item_id": response, "clinician_id": c.id, "shared": False},
                **_worksheet_page(assignment),
            )
        emptied = await pushed_values(doctor, since, ReturnedState, lambda v: v.get("found") is False)
        assert emptied["fields"] == [] and emptied["title"] == "" and emptied["client_name"] == ""
        for handler, payload in (
            ("save_comment", {"form": {"comment": "Well done"}}),
            ("mark_reviewed", None),
        ):
            before = snapshot(app)
            refused = await doctor.exchange(handler_name(ReturnedState, handler), payload, **page)
            after = snapshot(app)
            assert problem_of(refused) == NOT_AVAILABLE, handler
            assert _audited(before, after) == [_denied(c, "COMMENT")], handler
            assert writes_between(before, after) == [], handler
        assert secret not in json.dumps(doctor.received[since:])


# A push re-runs the page's read before checking access, so a refusal is audited as an
# attempt of the clinician's: see the report that came with this file.


async def test_a_take_back_push_records_no_attempt_that_nobody_made(hw: Homework) -> None:
    """Like SharedWithMeState's push: access is checked before re-reading, so a take-back
    records the client's REVOKE and nothing else (no DENIED attempt by anyone)."""
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    response = await _answer_and_finish(
        app, a, assignment, app.marker("push-audit-situation"), finish="return_worksheet"
    )
    async with connected(app, c.cookie) as doctor:
        await doctor.exchange(handler_name(ReturnedState, "load_returned"), **_returned_page(assignment))
        since, before = len(doctor.received), snapshot(app)
        async with connected(app, a.cookie) as tab:
            await _open(tab, assignment)
            await tab.exchange(
                handler_name(ItemSharingState, "set_shared"),
                {"item_id": response, "clinician_id": c.id, "shared": False},
                **_worksheet_page(assignment),
            )
        await pushed_values(doctor, since, ReturnedState, lambda v: v.get("found") is False)
        assert _audited(before, snapshot(app)) == [(uuid_hex(a.id), "REVOKE", "ALLOWED")]


async def test_a_return_reaches_the_clinicians_open_list_of_assignments(hw: Homework) -> None:
    """The clinician has the client's homework open, just assigned from it, when the client
    returns one: the list shows it returned at once (not emptied), the "Assigned." left from
    before goes (walk-through: it stayed above a list that had moved on), and the push reads
    nothing of the response: nothing is audited for the clinician."""
    app, a, c = hw.app, hw.a, hw.c
    async with connected(app, c.cookie) as doctor:
        await _load_client_homework(doctor, a.id)
        instructions = f"Homework {uuid.uuid4().hex}"
        listed = await doctor.exchange(
            handler_name(ClientHomeworkState, "assign"),
            {"form": _assign_form(instructions=instructions)},
            **_client_page(a.id),
        )
        assert state_of(listed, AppState).get("notice") == "Assigned."
        (assignment,) = [
            g["id"]
            for g in state_of(listed, ClientHomeworkState)["given"]
            if g["instructions"] == instructions
        ]
        assert _given(listed, assignment)["status"] == "Assigned"
        since, before = len(doctor.received), snapshot(app)
        await _answer_and_finish(
            app, a, assignment, app.marker("list-push-situation"), finish="return_worksheet"
        )
        pushed = await pushed_values(doctor, since, ClientHomeworkState, lambda v: "given" in v)
        assert pushed.get("available", True) is True
        assert (
            _given([{"delta": {ClientHomeworkState.get_full_name(): pushed}}], assignment)["returned"] is True
        )
        assert state_of(doctor.received[since:], AppState).get("notice") == ""
        assert [row for row in _audited(before, snapshot(app)) if row[0] == uuid_hex(c.id)] == []


async def test_a_row_that_is_not_a_number_is_refused_in_words_and_logs_nothing(hw: Homework) -> None:
    """An attack review: typed `int`, a string sent for a row made the framework log a
    warning per event (a script could fill the log); the answer was refused all the same."""
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    log_before = app.log_path.read_text(errors="replace")
    async with connected(app, a.cookie) as tab:
        await _open(tab, assignment)
        before = snapshot(app)
        for name, payload in (
            ("answer", {"field": "thoughts", "row": "0; drop", "column": "", "value": "x"}),
            ("choose_resting", {"field": "hot_belief", "row": "-1", "column": "", "value": 50}),
            ("remove_row", {"field": "thoughts", "row": "0"}),
        ):
            replied = await tab.exchange(
                handler_name(WorksheetState, name), payload, **_worksheet_page(assignment)
            )
            assert problem_of(replied) == "This couldn't be saved. Please try again.", (name, replied)
        assert writes_between(before, snapshot(app)) == []
    assert "details withheld" not in app.log_path.read_text(errors="replace")[len(log_before) :]


async def test_a_return_from_one_tab_reaches_the_clients_other_tab_on_the_same_worksheet(
    hw: Homework,
) -> None:
    """The client has the worksheet open on a phone and a laptop and returns it from the
    laptop: the phone shows it returned at once (not "Keep it private"), and a save from the
    phone says the clinician sees the changes, because they do."""
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    async with connected(app, a.cookie) as phone, connected(app, a.cookie) as laptop:
        await _open(laptop, assignment)
        await _answer(laptop, assignment, "situation", app.marker("two-tabs-situation"))
        assert state_of(await _open(phone, assignment), WorksheetState)["returned"] is False
        since = len(phone.received)
        done = await laptop.exchange(
            handler_name(WorksheetState, "return_worksheet"), **_worksheet_page(assignment)
        )
        assert problem_of(done) == "" and redirects_of(done) == [routes.HOMEWORK], done
        await pushed_values(phone, since, WorksheetState, lambda v: v.get("returned") is True)
        # Said, as a walk-through's phone went on saying "Draft saved" and nothing else.
        notice = state_of(phone.received[since:], AppState).get("notice", "")
        assert notice.startswith(f"This was returned to {c.name} from another tab or device."), notice
        changed = await _answer(phone, assignment, "situation", app.marker("two-tabs-changed"))
        assert state_of(changed, WorksheetState)["status"] == (
            f"Draft saved. {c.name} sees it once you tap “Save changes”."
        )
        saved = await phone.exchange(
            handler_name(WorksheetState, "save_worksheet"), **_worksheet_page(assignment)
        )
        assert problem_of(saved) == "" and redirects_of(saved) == [routes.HOMEWORK], saved
        listed = await phone.exchange(handler_name(HomeworkState, "load_homework"), path=routes.HOMEWORK)
        assert state_of(listed, AppState).get("notice") == f"Saved. {c.name} can see your changes."


async def test_couldnt_do_it_reads_as_such_on_both_sides_not_as_returned_answers(hw: Homework) -> None:
    """A client tells their clinician they couldn't do it (here with no reason chosen, which
    the page allows): their list says so, not "Returned"; the clinician's card offers to see
    what they said, not "their answers"; the response page heads it as not done, with no
    list of empty answers."""
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    async with connected(app, a.cookie) as tab:
        await _open(tab, assignment)
        where = _worksheet_page(assignment)
        told = await tab.exchange(handler_name(WorksheetState, "mark_not_done"), {"return_it": True}, **where)
        assert problem_of(told) == "" and redirects_of(told) == [routes.HOMEWORK], told
        loaded = await tab.exchange(handler_name(HomeworkState, "load_homework"), path=routes.HOMEWORK)
    (line,) = [task for task in state_of(loaded, HomeworkState)["done"] if task["id"] == assignment]
    assert line["status"] == "You let your clinician know you couldn't do it", line
    async with connected(app, c.cookie) as doctor:
        given = _given(await _load_client_homework(doctor, a.id), assignment)
        assert (given["status"], given["returned"], given["not_done"]) == (
            "Client couldn't do it",
            True,
            True,
        )
        opened = state_of(
            await doctor.exchange(handler_name(ReturnedState, "load_returned"), **_returned_page(assignment)),
            ReturnedState,
        )
        assert (opened["found"], opened["not_done"], opened["reasons"], opened["answered"]) == (
            True,
            True,
            [],
            False,
        )
        # When it came, not "Written …" over nothing (walk-through 14).
        assert opened["dates"].startswith("Returned ") and "Written" not in opened["dates"], opened["dates"]
        # Reviewed, it is still "couldn't do it" (not answers to read).
        reviewed = await doctor.exchange(
            handler_name(ReturnedState, "mark_reviewed"), **_returned_page(assignment)
        )
        assert problem_of(reviewed) == "", problem_of(reviewed)
        given = _given(await _load_client_homework(doctor, a.id), assignment)
        assert (given["status"], given["not_done"]) == ("Reviewed", True)
        # A response returned with answers still reads as answers.
        answered = state_of(
            await doctor.exchange(
                handler_name(ReturnedState, "load_returned"), **_returned_page(hw.returned)
            ),
            ReturnedState,
        )
        assert (answered["found"], answered["not_done"], answered["answered"]) == (True, False, True)
        assert _given(await _load_client_homework(doctor, a.id), hw.returned)["not_done"] is False


async def test_another_clients_return_leaves_the_response_the_clinician_is_reading(hw: Homework) -> None:
    """C reads A's returned response; meanwhile B returns something to C, which pushes to
    C's tabs. C's page stays as it was, and nobody is recorded as refused."""
    app, b, c = hw.app, hw.b, hw.c
    to_b = await _assign(app, c, b)
    async with connected(app, c.cookie) as doctor:
        shown = await doctor.exchange(
            handler_name(ReturnedState, "load_returned"), **_returned_page(hw.returned)
        )
        assert hw.answer in json.dumps(state_of(shown, ReturnedState)["fields"])
        since, before = len(doctor.received), snapshot(app)
        await _answer_and_finish(app, b, to_b, app.marker("b-returns-situation"), finish="return_worksheet")
        await asyncio.sleep(1.0)  # time for the push
        after = state_of(doctor.received[since:], ReturnedState)
        assert after.get("found", True) is True
        assert "fields" not in after or hw.answer in json.dumps(after["fields"])
        # Nothing on the page changed, so nothing says it did.
        assert not state_of(doctor.received[since:], AppState).get("notice")
        assert [row for row in _audited(before, snapshot(app)) if row[2] == "DENIED"] == []


async def test_couldnt_do_it_from_a_tab_left_open_leaves_a_returned_answer_to_take_back(
    hw: Homework,
) -> None:
    """Attack review: a prompt's answer returned from one tab; "couldn't do it" and return
    from a tab opened before made the mark the response, and the answer, left shared, stayed
    readable after the take-back ("Private again"). A returned homework is taken back first."""
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a, template="prompt", questions="What helped today?")
    words = app.marker("prompt-returned")
    page = _worksheet_page(assignment)
    async with connected(app, a.cookie) as left_open, connected(app, a.cookie) as tab:
        await _open(left_open, assignment)
        answer_id = state_of(await _open(tab, assignment), WorksheetState)["item_id"]
        assert problem_of(await _answer(tab, assignment, "answer", words)) == ""
        assert problem_of(await tab.exchange(handler_name(WorksheetState, "return_worksheet"), **page)) == ""
        await _quiet()
        before = snapshot(app)
        for return_it in (True, False):
            refused = await left_open.exchange(
                handler_name(WorksheetState, "mark_not_done"), {"return_it": return_it}, **page
            )
            assert problem_of(refused) == (
                "This was returned to your clinician meanwhile. Take it back first to change it."
            )
        assert writes_between(before, snapshot(app)) == []
        await _open(tab, assignment)
        assert problem_of(await tab.exchange(handler_name(WorksheetState, "take_back"), **page)) == ""
    await _quiet()
    async with connected(app, c.cookie) as desk:
        read = await desk.exchange(
            handler_name(SharedWithMeState, "load_shared_entry"),
            path=routes.SHARED_ENTRY,
            query={"id": answer_id},
        )
    assert words not in json.dumps(read) and problem_of(read) != ""


async def test_a_returned_answer_changed_later_is_named_on_the_clinicians_open_page(hw: Homework) -> None:
    """A changes a homework returned to C while C reads it: C's page shows the new answer,
    says so, and its dates say "edited" (walk7 L1: it changed silently)."""
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    first, changed = app.marker("returned-first"), app.marker("returned-changed")
    await _answer_and_finish(app, a, assignment, first, finish="return_worksheet")
    async with connected(app, c.cookie) as doctor:
        read = state_of(
            await doctor.exchange(handler_name(ReturnedState, "load_returned"), **_returned_page(assignment)),
            ReturnedState,
        )
        assert first in json.dumps(read["fields"]) and " · edited " not in read["dates"]
        since = len(doctor.received)
        async with connected(app, a.cookie) as tab:  # A changes the answer and saves the change
            await _open(tab, assignment)
            assert problem_of(await _answer(tab, assignment, "situation", changed)) == ""
            saved = await tab.exchange(
                handler_name(WorksheetState, "save_worksheet"), **_worksheet_page(assignment)
            )
            assert problem_of(saved) == ""
        pushed = await pushed_values(
            doctor, since, ReturnedState, lambda v: changed in json.dumps(v.get("fields") or [])
        )
        assert first not in json.dumps(pushed["fields"])
        assert " · returned " in pushed["dates"] and " · edited " in pushed["dates"]
        assert state_of(doctor.received[since:], AppState).get("notice") == (
            f"{a.name} changed their answers. You're reading them as they are now."
        )
        # Taken back: the page empties, and the notice about the change goes with it.
        since = len(doctor.received)
        await _client_taps(app, a, assignment, "take_back")
        await pushed_values(doctor, since, ReturnedState, lambda v: v.get("found") is False)
        assert state_of(doctor.received[since:], AppState).get("notice") == ""


@dataclass
class EndedLink:
    """What C's open list of a client's homework got when the client ended the link."""

    clinician: Actor
    client: Actor
    pushed: dict[str, Any]
    audited: list[tuple[str, str, str]]


@pytest.fixture(scope="module")
async def ended_link(hw: Homework) -> EndedLink:
    """A client of C's (on their own: the link ends) with homework; C has its list open when
    the client ends the link."""
    app, c = hw.app, hw.c
    e = (await _people(app, e="client"))["e"]
    await link(app, e, c)
    assignment = await _assign(app, c, e)
    async with connected(app, c.cookie) as doctor:
        _given(await _load_client_homework(doctor, e.id), assignment)
        since, before = len(doctor.received), snapshot(app)
        async with connected(app, e.cookie) as tab:
            await tab.exchange(handler_name(CareTeamState, "load_care_team"), path=routes.CARE_TEAM)
            ended = await tab.exchange(
                handler_name(CareTeamState, "end_link"), {"clinician_id": c.id}, path=routes.CARE_TEAM
            )
            assert state_of(ended, CareTeamState).get("clinicians") == []
        pushed = await pushed_values(doctor, since, ClientHomeworkState, lambda v: "given" in v)
        audited = _audited(before, snapshot(app))
        # The page holds no client now: assigning from it is refused.
        refused = await doctor.exchange(
            handler_name(ClientHomeworkState, "assign"), {"form": _assign_form()}, **_client_page(e.id)
        )
        assert problem_of(refused) == NOT_AVAILABLE
    return EndedLink(c, e, pushed, audited)


async def test_an_ended_link_empties_the_clinicians_open_list_at_once(ended_link: EndedLink) -> None:
    pushed = ended_link.pushed
    assert (pushed["given"], pushed["available"], pushed["client_id"]) == ([], False, "")
    assert (uuid_hex(ended_link.client.id), "UNLINK", "ALLOWED") in ended_link.audited


async def test_an_ended_link_records_no_attempt_that_nobody_made(ended_link: EndedLink) -> None:
    assert [row for row in ended_link.audited if row[2] == "DENIED"] == []


# --- 2. a clinician who is not the client's -------------------------------------------------


@dataclass
class Attempts:
    """Calls made one after another on one tab, each checked; what went wrong, collected."""

    app: RunningApp
    tab: EventClient
    secrets: set[str]
    problems: list[str] = dataclasses.field(default_factory=list)

    async def call(
        self,
        label: str,
        state_class: type,
        handler: str,
        payload: Any,
        where: dict[str, Any],
        *,
        problem: str | None,
        audited: list[tuple[str, str, str]],
    ) -> list[dict[str, Any]]:
        """`problem`: the message expected (None: not checked); `audited`: the new audit
        rows expected. Nothing else may be written, and no secret may come back."""
        before = snapshot(self.app)
        updates = await self.tab.exchange(handler_name(state_class, handler), payload, **where)
        after = snapshot(self.app)
        if problem is not None and problem_of(updates) != problem:
            self.problems.append(f"{label}: problem {problem_of(updates)!r}, expected {problem!r}")
        if (rows := _audited(before, after)) != audited:
            self.problems.append(f"{label}: audit rows {rows}, expected {audited}")
        self.problems += [f"{label}: wrote {change}" for change in writes_between(before, after)]
        sent = json.dumps(updates)
        self.problems += [f"{label}: the reply holds {secret!r}" for secret in self.secrets if secret in sent]
        return updates


async def _c_still_reads_the_returned_response_as_a_wrote_it(hw: Homework, *, absent: str = "") -> None:
    async with connected(hw.app, hw.c.cookie) as doctor:
        shown = await doctor.exchange(
            handler_name(ReturnedState, "load_returned"), **_returned_page(hw.returned)
        )
    read = state_of(shown, ReturnedState)
    assert problem_of(shown) == "" and read["found"] is True
    assert hw.answer in json.dumps(read["fields"])
    assert read["instructions"] == hw.instructions
    assert read.get("comment", "") == "" and read.get("reviewed", False) is False
    if absent:
        assert absent not in json.dumps(shown)


async def test_an_unlinked_clinician_is_refused_everything_and_each_refusal_is_audited(hw: Homework) -> None:
    app, a, b, c, d = hw.app, hw.a, hw.b, hw.c, hw.d
    open_to_a = await _assign(app, c, a)  # not returned: only whose it is can refuse D
    to_b_instructions = f"C's homework for B {uuid.uuid4().hex}"
    to_b = await _assign(app, c, b, instructions=to_b_instructions)
    b_answer = app.marker("b-situation")
    b_response = await _answer_and_finish(app, b, to_b, b_answer, finish="return_worksheet")
    async with connected(app, b.cookie) as tab:  # B shows it to D too (B is linked to both)
        await _open(tab, to_b)
        shared = await tab.exchange(
            handler_name(ItemSharingState, "set_shared"),
            {"item_id": b_response, "clinician_id": d.id, "shared": True},
            **_worksheet_page(to_b),
        )
        assert problem_of(shared) == ""
    await _quiet()
    forged = f"forged by D {uuid.uuid4().hex}"
    # What D never had: A's and B's words, C's instructions, A's response id.
    secrets = {hw.answer, hw.instructions, hw.response, b_answer, to_b_instructions}
    page_a, page_returned = _client_page(a.id), _returned_page(hw.returned)
    form = _assign_form(instructions=forged)
    async with connected(app, d.cookie) as tab:
        run = Attempts(app, tab, secrets)
        loaded = await run.call(
            "load A's homework",
            ClientHomeworkState,
            "load_client_homework",
            None,
            page_a,
            problem=NOT_AVAILABLE,
            audited=[_denied(d, "VIEW_SHARED_LIST")],
        )
        assert state_of(loaded, ClientHomeworkState).get("available") is not True
        assert not state_of(loaded, ClientHomeworkState).get("given")
        # After the refused load the page holds no client: assigning is refused...
        await run.call(
            "assign",
            ClientHomeworkState,
            "assign",
            {"form": form},
            page_a,
            problem=NOT_AVAILABLE,
            audited=[_denied(d, "ASSIGN")],
        )
        # ... and a client can't be slipped in: not in the form, not by setvar, not beside it.
        for key in ("client_id", "client"):
            await run.call(
                f"assign with {key} in the form",
                ClientHomeworkState,
                "assign",
                {"form": {**form, key: a.id}},
                page_a,
                problem=NOT_SAVED,
                audited=[],
            )
        await run.call(
            "setvar client_id",
            ClientHomeworkState,
            "setvar",
            {"var_name": "client_id", "value": a.id},
            page_a,
            problem=None,
            audited=[],
        )
        await run.call(
            "assign with client_id beside the form",
            ClientHomeworkState,
            "assign",
            {"form": form, "client_id": a.id},
            page_a,
            problem=None,
            audited=[],
        )
        await run.call(
            "assign after those",
            ClientHomeworkState,
            "assign",
            {"form": form},
            page_a,
            problem=NOT_AVAILABLE,
            audited=[_denied(d, "ASSIGN")],
        )
        for assignment, whose in ((hw.returned, "A's"), (to_b, "B's (shared with D too)")):
            read = await run.call(
                f"read {whose} response to C",
                ReturnedState,
                "load_returned",
                None,
                _returned_page(assignment),
                problem=NOT_AVAILABLE,
                audited=[_denied(d, "VIEW_SHARED_ITEM")],
            )
            assert state_of(read, ReturnedState).get("found") is not True
        await run.call(
            "comment",
            ReturnedState,
            "save_comment",
            {"form": {"comment": forged}},
            page_returned,
            problem=NOT_AVAILABLE,
            audited=[_denied(d, "COMMENT")],
        )
        await run.call(
            "comment naming the assignment",
            ReturnedState,
            "save_comment",
            {"form": {"comment": forged, "assignment_id": hw.returned}},
            page_returned,
            problem=NOT_SAVED,
            audited=[],
        )
        await run.call(
            "mark reviewed",
            ReturnedState,
            "mark_reviewed",
            None,
            page_returned,
            problem=NOT_AVAILABLE,
            audited=[_denied(d, "COMMENT")],
        )
        edit = {"assignment_id": open_to_a, "instructions": forged, "note": "", "due_on": ""}
        await run.call(
            "withdraw A's assignment",
            ClientHomeworkState,
            "withdraw",
            {"assignment_id": open_to_a},
            page_a,
            problem=NOT_AVAILABLE,
            audited=[_denied(d, "ASSIGN")],
        )
        await run.call(
            "edit A's assignment",
            ClientHomeworkState,
            "edit_assignment",
            {"form": edit},
            page_a,
            problem=NOT_AVAILABLE,
            audited=[_denied(d, "ASSIGN")],
        )
        # D's own client B: D's page works, and shows only D's own assignments (none).
        page_b = _client_page(b.id)
        own = await run.call(
            "load B's homework",
            ClientHomeworkState,
            "load_client_homework",
            None,
            page_b,
            problem="",
            audited=[],
        )
        listed = state_of(own, ClientHomeworkState)
        assert listed["available"] is True and listed["given"] == [], listed["given"]
        # With a client of D's on the page, C's assignments are still not D's to change.
        for assignment in (open_to_a, to_b):
            await run.call(
                f"withdraw {assignment} from B's page",
                ClientHomeworkState,
                "withdraw",
                {"assignment_id": assignment},
                page_b,
                problem=NOT_AVAILABLE,
                audited=[_denied(d, "ASSIGN")],
            )
            await run.call(
                f"edit {assignment} from B's page",
                ClientHomeworkState,
                "edit_assignment",
                {"form": {**edit, "assignment_id": assignment}},
                page_b,
                problem=NOT_AVAILABLE,
                audited=[_denied(d, "ASSIGN")],
            )
        await run.call(
            "assign C's own worksheet to B",
            ClientHomeworkState,
            "assign",
            {"form": _assign_form(template=hw.custom)},
            page_b,
            problem="Choose a worksheet from the list.",
            audited=[],
        )
    assert run.problems == [], "\n".join(run.problems)
    await _c_still_reads_the_returned_response_as_a_wrote_it(hw, absent=forged)
    async with connected(app, c.cookie) as doctor:
        line = _given(await _load_client_homework(doctor, a.id), open_to_a)
    assert line["status"] == "Assigned" and forged not in json.dumps(line)


# --- 3. each role, the other role's handlers ------------------------------------------------


async def test_each_role_is_turned_away_from_the_other_roles_homework_handlers(hw: Homework) -> None:
    """The guard sends a signed-in caller of the wrong role home; nothing runs, nothing is
    written (not even an audit row) and no homework var is filled."""
    app, a, c = hw.app, hw.a, hw.c
    open_to_a = await _assign(app, c, a)
    await _quiet()
    forged = f"forged {uuid.uuid4().hex}"
    at_worksheet, at_returned = _worksheet_page(open_to_a), _returned_page(hw.returned)
    template_id = hw.custom.removeprefix("custom:")
    clinician_calls: list[tuple[type, str, Any, dict[str, Any]]] = [
        (WorksheetState, "open_worksheet", None, at_worksheet),
        (
            WorksheetState,
            "answer",
            {"field": "situation", "row": -1, "column": "", "value": forged},
            at_worksheet,
        ),
        (WorksheetState, "add_row", {"field": "thoughts"}, at_worksheet),
        (WorksheetState, "remove_row", {"field": "thoughts", "row": 0}, at_worksheet),
        (WorksheetState, "carry_rows", {"field": "emotions_after"}, at_worksheet),
        (WorksheetState, "toggle_reason", {"reason": "forgot"}, at_worksheet),
        (WorksheetState, "save_worksheet", None, at_worksheet),
        (WorksheetState, "return_worksheet", None, at_worksheet),
        (WorksheetState, "mark_not_done", {"return_it": True}, at_worksheet),
        (HomeworkState, "load_homework", None, {"path": routes.HOMEWORK}),
        (
            ItemSharingState,
            "set_shared",
            {"item_id": hw.response, "clinician_id": c.id, "shared": False},
            at_worksheet,
        ),
        (ItemSharingState, "delete_item", {"item_id": hw.response}, at_worksheet),
    ]
    edit = {"assignment_id": open_to_a, "instructions": forged, "note": "", "due_on": ""}
    client_calls: list[tuple[type, str, Any, dict[str, Any]]] = [
        (ReturnedState, "load_returned", None, at_returned),
        (ReturnedState, "save_comment", {"form": {"comment": forged}}, at_returned),
        (ReturnedState, "mark_reviewed", None, at_returned),
        (ClientHomeworkState, "load_client_homework", None, _client_page(a.id)),
        (ClientHomeworkState, "assign", {"form": _assign_form(instructions=forged)}, _client_page(a.id)),
        (ClientHomeworkState, "edit_assignment", {"form": edit}, _client_page(a.id)),
        (ClientHomeworkState, "withdraw", {"assignment_id": open_to_a}, _client_page(a.id)),
        (WorksheetsState, "load_worksheets", None, WORKSHEETS_PAGE),
        (
            WorksheetsState,
            "add_builder_field",
            {"form": {"label": forged, "type": "short_text"}},
            WORKSHEETS_PAGE,
        ),
        (WorksheetsState, "save_template", {"form": {"title": forged, "explanation": ""}}, WORKSHEETS_PAGE),
        (WorksheetsState, "remove_template", {"template_id": template_id}, WORKSHEETS_PAGE),
    ]
    problems: list[str] = []
    for caller, calls in ((c, clinician_calls), (a, client_calls)):
        async with connected(app, caller.cookie) as tab:
            for state_class, handler, payload, where in calls:
                label = f"{caller.role} {state_class.__name__}.{handler}"
                before = snapshot(app)
                updates = await tab.exchange(handler_name(state_class, handler), payload, **where)
                after = snapshot(app)
                if (redirects := redirects_of(updates)) != [routes.HOME]:
                    problems.append(f"{label}: expected the guard's redirect home, got {redirects}")
                if filled := filled_vars(updates, allowed=FEEDBACK_VARS | OWN_IDENTITY_VARS):
                    problems.append(f"{label}: the reply fills {filled}")
                audited = [(row[1], row[3], row[4]) for row in new_audit_rows(before, after)]
                if audited != [(uuid.UUID(caller.id).hex, "CALL", "DENIED")]:
                    problems.append(f"{label}: audited {audited}, not the one denied call")
                problems += [f"{label}: wrote {change}" for change in writes_between(before, after)]
                if hw.answer in json.dumps(updates) or forged in json.dumps(updates):
                    problems.append(f"{label}: the reply holds homework text")
    assert problems == [], "\n".join(problems)
    await _c_still_reads_the_returned_response_as_a_wrote_it(hw, absent=forged)
    async with connected(app, c.cookie) as doctor:
        built = await doctor.exchange(handler_name(WorksheetsState, "load_worksheets"), **WORKSHEETS_PAGE)
    assert template_id in [t["value"] for t in state_of(built, WorksheetsState)["templates"]]


async def test_a_client_cannot_write_or_clear_the_clinicians_comment(hw: Homework) -> None:
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    await _answer_and_finish(app, a, assignment, app.marker("commented-situation"), finish="return_worksheet")
    words = f"Well done {uuid.uuid4().hex}"
    async with connected(app, c.cookie) as doctor:
        page = _returned_page(assignment)
        await doctor.exchange(handler_name(ReturnedState, "load_returned"), **page)
        commented = await doctor.exchange(
            handler_name(ReturnedState, "save_comment"), {"form": {"comment": words}}, **page
        )
        assert problem_of(commented) == "" and state_of(commented, ReturnedState)["comment"] == words
    await _quiet()
    forged = f"forged comment {uuid.uuid4().hex}"
    where = _worksheet_page(assignment)
    async with connected(app, a.cookie) as tab:
        opened = await _open(tab, assignment)
        assert state_of(opened, WorksheetState)["comment"] == words
        before = snapshot(app)
        for state_class, handler, payload in (
            (WorksheetState, "setvar", {"var_name": "comment", "value": forged}),
            (WorksheetState, "setvar", {"var_name": "reviewed", "value": True}),
            (ReturnedState, "save_comment", {"form": {"comment": forged}}),
            (ReturnedState, "mark_reviewed", None),
        ):
            updates = await tab.exchange(handler_name(state_class, handler), payload, **where)
            sent = state_of(updates, WorksheetState)
            assert sent.get("comment", words) == words and sent.get("reviewed") is not True, handler
        after = snapshot(app)
        assert writes_between(before, after) == []
        # The two calls to the clinician's handlers are refused and audited; setvar writes nothing.
        assert [(row[3], row[4]) for row in new_audit_rows(before, after)] == [("CALL", "DENIED")] * 2
        # Saving the client's own answers again leaves the comment as the clinician wrote it.
        saved = await tab.exchange(handler_name(WorksheetState, "save_worksheet"), **where)
        assert problem_of(saved) == ""
        reopened = state_of(await _open(tab, assignment), WorksheetState)
        assert (reopened["comment"], reopened.get("reviewed", False)) == (words, False)
    async with connected(app, c.cookie) as doctor:
        read = state_of(
            await doctor.exchange(handler_name(ReturnedState, "load_returned"), **_returned_page(assignment)),
            ReturnedState,
        )
    assert (read["comment"], read.get("reviewed", False)) == (words, False)


# --- 4. a client, another client's assignment -----------------------------------------------


async def test_a_client_cannot_open_answer_or_share_another_clients_assignment(hw: Homework) -> None:
    app, a, b, c, d = hw.app, hw.a, hw.b, hw.c, hw.d
    own = await _assign(app, c, b)
    await _quiet()
    forged = f"forged by B {uuid.uuid4().hex}"
    answer = {"field": "situation", "row": -1, "column": "", "value": forged}
    page, by_id = _worksheet_page(hw.returned), {"path": routes.WORKSHEET, "query": {"id": hw.response}}
    async with connected(app, b.cookie) as tab:
        run = Attempts(app, tab, {hw.answer, hw.instructions})
        for label, where in (("A's assignment", page), ("A's response by its id", by_id)):
            opened = await run.call(
                f"open {label}",
                WorksheetState,
                "open_worksheet",
                None,
                where,
                problem=NOT_AVAILABLE,
                audited=[_denied(b, "VIEW_ITEM")],
            )
            shown = state_of(opened, WorksheetState)
            assert shown.get("found") is not True and not shown.get("assignment_id"), label
            for handler, payload, message in (
                # (The answer's message: see the test after this one.)
                ("answer", answer, None),
                ("save_worksheet", None, NOT_SAVED),
                ("return_worksheet", None, NOT_SAVED),
                ("mark_not_done", {"return_it": True}, NOT_SAVED),
            ):
                await run.call(
                    f"{handler} after opening {label}",
                    WorksheetState,
                    handler,
                    payload,
                    where,
                    problem=message,
                    audited=[],
                )
        for label, payload, action in (
            ("take A's response back from C", {"clinician_id": c.id, "shared": False}, "REVOKE"),
            ("share A's response with D", {"clinician_id": d.id, "shared": True}, "SHARE"),
        ):
            await run.call(
                label,
                ItemSharingState,
                "set_shared",
                {"item_id": hw.response, **payload},
                page,
                problem=NOT_AVAILABLE,
                audited=[_denied(b, action)],
            )
        await run.call(
            "delete A's response",
            ItemSharingState,
            "delete_item",
            {"item_id": hw.response},
            page,
            problem=NOT_AVAILABLE,
            audited=[_denied(b, "DELETE")],
        )
        # The control: B's own assignment, in the same tab, takes B's answer.
        opened = state_of(await _open(tab, own), WorksheetState)
        assert opened["found"] is True and opened["item_id"] != hw.response
        answered = await _answer(tab, own, "situation", forged)
        assert problem_of(answered) == "" and state_of(answered, WorksheetState)["status"] == "Draft saved"
    assert run.problems == [], "\n".join(run.problems)
    await _c_still_reads_the_returned_response_as_a_wrote_it(hw, absent=forged)
    async with connected(app, a.cookie) as tab:
        mine = await _open(tab, hw.returned)
    assert hw.answer in json.dumps(state_of(mine, WorksheetState)["fields"]) and forged not in json.dumps(
        mine
    )


async def test_an_answer_with_no_worksheet_open_gets_a_clear_message(hw: Homework) -> None:
    app = hw.app
    async with connected(app, hw.b.cookie) as tab:
        refused = await _open(tab, hw.returned)  # A's: refused, so nothing is open
        assert problem_of(refused) == NOT_AVAILABLE
        before = snapshot(app)
        answered = await _answer(tab, hw.returned, "situation", "Some words")
        assert writes_between(before, snapshot(app), allow_denied_audit=False) == []
        assert toasts_of(answered) == []
        assert problem_of(answered) == NOT_SAVED


# --- 5. bad input: a clear message, nothing written -----------------------------------------


@pytest.fixture(scope="module")
async def all_types(hw: Homework) -> str:
    """C's worksheet with a field of every type, assigned to B."""
    assignment = await _assign(hw.app, hw.c, hw.b, template=hw.custom)
    await _quiet()
    return assignment


def _cells(updates: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The worksheet's controls on screen, by key ("w-f3-0" style: field, row, column)."""
    fields = state_of(updates, WorksheetState)["fields"]
    return {cell["key"]: cell for f in fields for row in f["rows"] for cell in row["cells"]}


async def test_good_answers_of_every_type_are_kept(hw: Homework) -> None:
    """The control for the bad answers below: the same fields take good answers."""
    app, b = hw.app, hw.b
    assignment = await _assign(app, hw.c, b, template=hw.custom)
    await _quiet()
    good = [("f1", -1, "Kitchen"), ("f2", -1, "Long\ntext"), ("f3", -1, 5), ("f4", -1, "55")]
    good += [("f5", -1, True), ("f6", -1, "2026-05-01"), ("f7", 0, "First step"), ("f7", 1, "Second")]
    async with connected(app, b.cookie) as tab:
        await _open(tab, assignment)
        for field_id, row, value in good:
            before = snapshot(app)
            answered = await _answer(tab, assignment, field_id, value, row=row)
            assert problem_of(answered) == "", (field_id, value, problem_of(answered))
            assert writes_between(before, snapshot(app)) != [], f"{field_id}: the draft was not kept"
        saved = await tab.exchange(
            handler_name(WorksheetState, "save_worksheet"), **_worksheet_page(assignment)
        )
        assert problem_of(saved) == ""
        cells = _cells(await _open(tab, assignment))
    assert cells["w-f1--1"]["text"] == "Kitchen" and cells["w-f3--1"]["number"] == 5
    assert cells["w-f4--1"]["text"] == "55" and cells["w-f5--1"]["flag"] == "yes"
    assert cells["w-f6--1"]["text"] == "2026-05-01"
    assert (cells["w-f7-0"]["text"], cells["w-f7-1"]["text"]) == ("First step", "Second")


async def test_a_slider_tapped_keeps_the_value_tapped_and_its_resting_thumb_is_chosen(hw: Homework) -> None:
    """A finger lands on a slider's track at 15: the browser sends the change (15), then,
    as the finger lifts, what the slider shows, which is 50 again until the server's answer
    arrives (a controlled input). The lift chooses only for a slider with no answer yet (a
    tap on the thumb where it rests sends no change): the value tapped stands. The same for
    a slider in a row (a Thought record's "How strong")."""
    app, a = hw.app, hw.a
    assignment = await _assign(app, hw.c, a)
    page = _worksheet_page(assignment)

    async def lift(tab: EventClient, field: str, row: int, column: str) -> list[dict[str, Any]]:
        payload = {"field": field, "row": row, "column": column, "value": "50"}
        return await tab.exchange(handler_name(WorksheetState, "choose_resting"), payload, **page)

    async with connected(app, a.cookie) as tab:
        await _open(tab, assignment)
        assert problem_of(await lift(tab, "hot_belief", -1, "")) == ""  # its thumb, tapped
        assert problem_of(await _answer(tab, assignment, "balanced_belief", "15")) == ""
        assert problem_of(await lift(tab, "balanced_belief", -1, "")) == ""
        assert problem_of(await _answer(tab, assignment, "emotions", "90", row=0, column="intensity")) == ""
        assert problem_of(await lift(tab, "emotions", 0, "intensity")) == ""
        assert problem_of(await lift(tab, "emotions", 1, "intensity")) == ""  # a new row's, tapped
        cells = _cells(await _open(tab, assignment))
    assert cells["w-hot_belief--1"]["text"] == "50"
    assert cells["w-balanced_belief--1"]["text"] == "15"
    assert cells["w-emotions-0-intensity"]["text"] == "90"
    assert cells["w-emotions-1-intensity"]["text"] == "50"


BAD_ANSWERS = [
    ("f3", -1, "5", "Distress: choose a whole number from 0 to 10."),
    ("f3", -1, 11, "Distress: choose a whole number from 0 to 10."),
    ("f3", -1, True, "Distress: choose a whole number from 0 to 10."),
    ("f3", -1, 5.5, "Distress: choose a whole number from 0 to 10."),
    ("f3", -1, -1, "Distress: choose a whole number from 0 to 10."),
    ("f4", -1, 101, "Belief: choose a whole number from 0 to 100."),
    ("f4", -1, "abc", "Belief: choose a whole number from 0 to 100."),
    ("f4", -1, "055", "Belief: choose a whole number from 0 to 100."),
    ("f5", -1, "yes", "Did it help: choose yes or no."),
    ("f5", -1, 1, "Did it help: choose yes or no."),
    ("f6", -1, "2026-13-01", "When: choose a date."),
    ("f6", -1, "1 May 2026", "When: choose a date."),
    ("f6", -1, "0001-01-01", "When: choose a date."),
    ("f1", -1, "x" * 10_000, "Where is too long: the limit is 300 characters."),
    ("f1", -1, "two\nlines", "Where must be on one line."),
    ("f1", -1, ["a list"], "Where must be text."),
    ("f2", -1, 42, "What happened must be text."),
    ("f2", -1, "bell \x07", "What happened contains characters that can't be saved."),
    ("f7", 0, 7, "Steps must be text."),
    ("f7", -5, "item", NOT_SAVED),
    ("f7", -1, "item", NOT_SAVED),
    ("f7", 20, "item", NOT_SAVED),
    ("f7", 10_000, "item", NOT_SAVED),
    ("no_such_field", -1, "x", NOT_SAVED),
    ("", -1, "x", NOT_SAVED),
]


@pytest.mark.parametrize(
    ("field_id", "row", "value", "message"),
    BAD_ANSWERS,
    ids=[f"{f or 'empty'}-{r}-{str(v)[:12]!r}" for f, r, v, _ in BAD_ANSWERS],
)
async def test_a_bad_answer_gets_a_clear_message_and_writes_nothing(
    hw: Homework, all_types: str, field_id: str, row: int, value: Any, message: str
) -> None:
    app = hw.app
    async with connected(app, hw.b.cookie) as tab:
        opened = await _open(tab, all_types)
        assert state_of(opened, WorksheetState)["found"] is True
        before = snapshot(app)
        answered = await _answer(tab, all_types, field_id, value, row=row)
        after = snapshot(app)
        assert problem_of(answered) == message
        assert writes_between(before, after, allow_denied_audit=False) == []
        # What the server holds for the page is unchanged: saving now keeps no bad answer.
        assert state_of(answered, WorksheetState).get("status") in (None, "Not saved yet")
        assert "fields" not in state_of(answered, WorksheetState)


async def test_save_or_return_waits_while_an_answer_is_only_on_the_screen(hw: Homework) -> None:
    """Walk-through: an answer over 5,000 characters was refused as it was typed ("too long"),
    yet Save and Return then said they had worked, and that answer was gone (the clinician
    read "—"). Until the refused answer is changed, nothing is saved or returned; a long
    answer removed with its row no longer holds them up."""
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    kept, long = app.marker("kept-evidence"), "x" * 6_001  # past what even a draft keeps
    too_long = "Evidence against the hot thought is too long: the limit is 5,000 characters."
    async with connected(app, a.cookie) as tab:
        await _open(tab, assignment)
        assert problem_of(await _answer(tab, assignment, "evidence_against", kept)) == ""
        # A little over the limit (pasted): kept as a draft, there after a reload, and
        # neither saved nor returned until shortened.
        over = kept + " " + "o" * 5_000
        assert problem_of(await _answer(tab, assignment, "evidence_against", over)) == ""
        async with connected(app, a.cookie) as other_tab:
            reopened = json.dumps(state_of(await _open(other_tab, assignment), WorksheetState)["fields"])
        assert over in reopened
        for finish in ("return_worksheet", "save_worksheet"):
            before = snapshot(app)
            done = await tab.exchange(handler_name(WorksheetState, finish), **_worksheet_page(assignment))
            assert writes_between(before, snapshot(app), allow_denied_audit=False) == [], finish
            assert (problem_of(done), redirects_of(done)) == (too_long, []), finish
        assert problem_of(await _answer(tab, assignment, "evidence_against", long)) == too_long
        for finish in ("return_worksheet", "save_worksheet"):
            before = snapshot(app)
            done = await tab.exchange(handler_name(WorksheetState, finish), **_worksheet_page(assignment))
            assert writes_between(before, snapshot(app), allow_denied_audit=False) == [], finish
            assert redirects_of(done) == [], finish
            assert problem_of(done) == (
                f"{too_long} Change that answer, then try again: until then, it is only on this screen."
            ), finish
        # A long item of a list, then its row removed: nothing is held up any more.
        assert problem_of(await _answer(tab, assignment, "thoughts", "one", row=0)) == ""
        assert problem_of(await _answer(tab, assignment, "evidence_against", kept + " and more")) == ""
        await tab.exchange(
            handler_name(WorksheetState, "add_row"), {"field": "thoughts"}, **_worksheet_page(assignment)
        )
        assert problem_of(await _answer(tab, assignment, "thoughts", "y" * 361, row=1)) != ""
        removed = await tab.exchange(
            handler_name(WorksheetState, "remove_row"),
            {"field": "thoughts", "row": 1},
            **_worksheet_page(assignment),
        )
        assert problem_of(removed) == ""
        done = await tab.exchange(
            handler_name(WorksheetState, "return_worksheet"), **_worksheet_page(assignment)
        )
        assert problem_of(done) == "" and redirects_of(done) == [routes.HOMEWORK]
    async with connected(app, c.cookie) as doctor:
        read = await doctor.exchange(
            handler_name(ReturnedState, "load_returned"), **_returned_page(assignment)
        )
        assert kept + " and more" in json.dumps(state_of(read, ReturnedState)["fields"])


def _in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


PAST = "The due date is in the past. Choose today or a later day."
TIMES = "Repeat it from 1 to 30 times."
NO_SHEET = "Choose a worksheet from the list."
WEEKLY: dict[str, str] = {"repeat": "weekly", "due_on": _in_days(7)}
BAD_ASSIGNMENTS: list[tuple[str, dict[str, str], str]] = [
    ("due in the past", {"due_on": "2020-01-01"}, PAST),
    ("due two days ago", {"due_on": _in_days(-2)}, PAST),
    ("due on no day", {"due_on": "2026-02-30"}, "Choose a due date, or leave it empty."),
    ("due in two years", {"due_on": _in_days(800)}, "Choose a due date within a year."),
    ("weekly 0 times", {**WEEKLY, "times": "0"}, TIMES),
    ("weekly 10000 times", {**WEEKLY, "times": "10000"}, TIMES),
    ("daily 31 times", {**WEEKLY, "repeat": "daily", "times": "31"}, TIMES),
    ("weekly two times", {**WEEKLY, "times": "two"}, TIMES),
    (
        "weekly no due date",
        {"repeat": "weekly", "times": "2"},
        "Choose the first due date of a repeated assignment.",
    ),
    ("monthly", {**WEEKLY, "repeat": "monthly"}, "Choose how often it repeats."),
    ("unknown template", {"template": "builtin:no_such_sheet"}, NO_SHEET),
    ("no template", {"template": ""}, NO_SHEET),
    ("unknown own template", {"template": f"custom:{uuid.uuid4()}"}, NO_SHEET),
    ("a prompt without a question", {"template": "prompt", "questions": ""}, "Write at least one question."),
    (
        "instructions too long",
        {"instructions": "x" * 2_001},
        "Instructions is too long: the limit is 2,000 characters.",
    ),
]


@pytest.mark.parametrize(
    ("case", "fields", "message"), BAD_ASSIGNMENTS, ids=[c for c, _, _ in BAD_ASSIGNMENTS]
)
async def test_a_bad_assignment_gets_a_clear_message_and_writes_nothing(
    hw: Homework, case: str, fields: dict[str, str], message: str
) -> None:
    app, b = hw.app, hw.b
    async with connected(app, hw.c.cookie) as tab:
        listed = await _load_client_homework(tab, b.id)
        assert state_of(listed, ClientHomeworkState)["available"] is True
        before = snapshot(app)
        updates = await tab.exchange(
            handler_name(ClientHomeworkState, "assign"),
            {"form": _assign_form(**fields)},
            **_client_page(b.id),
        )
        after = snapshot(app)
    assert problem_of(updates) == message, case
    assert writes_between(before, after, allow_denied_audit=False) == [], case


async def test_a_good_repeated_assignment_is_made_as_often_as_asked(hw: Homework) -> None:
    """The control for the bad assignments: the same form, with good values, assigns."""
    app, b = hw.app, hw.b
    async with connected(app, hw.c.cookie) as tab:
        listed = state_of(await _load_client_homework(tab, b.id), ClientHomeworkState)["given"]
        form = _assign_form(repeat="weekly", times="3", due_on=_in_days(7), template=hw.custom)
        updates = await tab.exchange(
            handler_name(ClientHomeworkState, "assign"), {"form": form}, **_client_page(b.id)
        )
    assert problem_of(updates) == "" and state_of(updates, AppState)["notice"] == "Assigned 3 times."
    given = state_of(updates, ClientHomeworkState)["given"]
    new = [line for line in given if line["id"] not in {old["id"] for old in listed}]
    assert sorted(line["due_on"] for line in new) == [_in_days(7), _in_days(14), _in_days(21)]
    # The client's list shows the first copy, saying two more come after it.
    first = min(new, key=lambda line: line["due_on"])
    async with connected(app, b.cookie) as phone:
        loaded = await phone.exchange(handler_name(HomeworkState, "load_homework"), path=routes.HOMEWORK)
    to_do = state_of(loaded, HomeworkState)["to_do"]
    assert {line["id"] for line in to_do} & {line["id"] for line in new} == {first["id"]}
    (line,) = [line for line in to_do if line["id"] == first["id"]]
    assert line["then"].startswith("Repeats 2 more times after this one, the next due ")


ADD, SAVE = "add_builder_field", "save_template"
TYPE_1 = "Field 1: choose one of the field types offered."
MOOD: list[tuple[str, str]] = [("Mood", "scale_10")]
BAD_WORKSHEETS: list[tuple[str, list[tuple[str, str]], str, dict[str, str], str]] = [
    ("unknown type", [], ADD, {"label": "Mood", "type": "colour"}, TYPE_1),
    ("rows are built-in only", [], ADD, {"label": "Feelings", "type": "rows"}, TYPE_1),
    ("no type", MOOD, ADD, {"label": "Where"}, "Field 2: choose one of the field types offered."),
    ("empty name", [], ADD, {"label": "", "type": "short_text"}, "Field name can't be empty."),
    ("blank name", [], ADD, {"label": "   ", "type": "short_text"}, "Field name can't be empty."),
    (
        "name too long",
        [],
        ADD,
        {"label": "x" * 201, "type": "short_text"},
        "Field name is too long: the limit is 200 characters.",
    ),
    (
        "same name twice",
        MOOD,
        ADD,
        {"label": "mood", "type": "long_text"},
        "Two fields have the same name. Give each field its own name.",
    ),
    ("an extra key", [], ADD, {"label": "Mood", "type": "scale_10", "id": "x"}, NOT_SAVED),
    (
        "no fields",
        [],
        SAVE,
        {"title": "No fields", "explanation": ""},
        "Add at least one field to the worksheet.",
    ),
    ("no title", MOOD, SAVE, {"title": "", "explanation": ""}, "Title can't be empty."),
    (
        "title too long",
        MOOD,
        SAVE,
        {"title": "x" * 101, "explanation": ""},
        "Title is too long: the limit is 100 characters.",
    ),
]


@pytest.mark.parametrize(
    ("case", "fields", "handler", "form", "message"), BAD_WORKSHEETS, ids=[c[0] for c in BAD_WORKSHEETS]
)
async def test_a_bad_worksheet_gets_a_clear_message_and_writes_nothing(
    hw: Homework, case: str, fields: list[tuple[str, str]], handler: str, form: dict[str, str], message: str
) -> None:
    app = hw.app
    async with connected(app, hw.c.cookie) as tab:
        await tab.exchange(handler_name(WorksheetsState, "load_worksheets"), **WORKSHEETS_PAGE)
        for label, kind in fields:
            added = await tab.exchange(
                handler_name(WorksheetsState, "add_builder_field"),
                {"form": {"label": label, "type": kind}},
                **WORKSHEETS_PAGE,
            )
            assert problem_of(added) == "", problem_of(added)
        before = snapshot(app)
        updates = await tab.exchange(
            handler_name(WorksheetsState, handler), {"form": form}, **WORKSHEETS_PAGE
        )
        after = snapshot(app)
        assert problem_of(updates) == message, case
        assert writes_between(before, after, allow_denied_audit=False) == [], case
        # The fields added so far are as they were (the refused one is not among them).
        shown = state_of(updates, WorksheetsState).get("draft_fields")
        assert shown is None or [f["value"] for f in shown] == [label for label, _ in fields], shown


async def test_an_answer_sent_just_after_leaving_the_page_is_still_kept(hw: Homework) -> None:
    """A tap on a link while the last words were on their way: the answer arrives with the
    next page's path. It is saved before the worksheet's data is dropped; once another page's
    event has come, nothing of the worksheet is held, and a late answer writes nothing."""
    app = hw.app
    assignment = await _assign(app, hw.c, hw.a)
    elsewhere: dict[str, Any] = {"path": routes.HOMEWORK}
    async with connected(app, hw.a.cookie) as tab:
        await _open(tab, assignment)
        assert problem_of(await _answer(tab, assignment, "situation", "On the bus")) == ""
        late = await tab.exchange(
            handler_name(WorksheetState, "answer"),
            {"field": "evidence_for", "row": -1, "column": "", "value": "Typed last"},
            **elsewhere,
        )
        assert problem_of(late) == ""
        await tab.exchange(handler_name(HomeworkState, "load_homework"), **elsewhere)
        before = snapshot(app)
        after_leaving = await tab.exchange(
            handler_name(WorksheetState, "answer"),
            {"field": "balanced", "row": -1, "column": "", "value": "Too late"},
            **elsewhere,
        )
        assert problem_of(after_leaving) == "This couldn't be saved. Please try again."
        assert writes_between(before, snapshot(app)) == []
        reopened = state_of(await _open(tab, assignment), WorksheetState)
    fields = json.dumps(reopened["fields"])
    assert "On the bus" in fields and "Typed last" in fields and "Too late" not in fields


async def test_an_answer_sent_as_a_tab_closes_is_kept_and_refused_to_anyone_else(hw: Homework) -> None:
    """A tab closed inside an answer's pause hands the answer to a beacon (api.keep_answer).
    It is kept as the websocket would keep it, in the draft of the client's response: to an
    assignment (a response not saved yet, under the id the tab was given), to a new exercise
    of their own (named by its address), to one begun (its worksheet is the draft's), and
    to a library prompt (a journal entry's draft).
    The route is the client's own: a clinician (audited), someone not signed in or a forged
    token is turned away; a field the worksheet hasn't, another response of the client's
    made the assignment's, or another client's assignment (audited) is answered like what
    is kept, and written nowhere."""
    app, c, a, b = hw.app, hw.c, hw.a, hw.b
    with app.core():
        token = form_tokens.issue()
    assignment = await _assign(app, c, a)
    async with connected(app, a.cookie) as tab:
        opened = state_of(await _open(tab, assignment), WorksheetState)
    item, mark = opened["item_id"], opened["words_mark"]  # the answers' mark: A's, for this item

    def marked(item_id: str) -> str:
        """The mark A's worksheet tab is given for an exercise of A's own opened under this id."""
        with app.core():
            return items.words_mark(uuid.UUID(a.id), item_id)

    def beacon(cookie: str, **fields: str) -> int:
        sent = {
            "form_token": token,
            "item_id": item,
            "mark": mark,
            "assignment_id": assignment,
            "value": "Forged",
        }
        return _answer_beacon(app, cookie, **{**sent, **fields})

    async def shown(query: dict[str, str]) -> str:
        async with connected(app, a.cookie) as tab:
            opened = state_of(
                await tab.exchange(
                    handler_name(WorksheetState, "open_worksheet"), path=routes.WORKSHEET, query=query
                ),
                WorksheetState,
            )
        assert opened["status"] == "Your answers so far are back.", opened
        return json.dumps(opened["fields"])

    before = snapshot(app)
    turned_away = {
        "a clinician": await asyncio.to_thread(beacon, c.cookie),
        "no session": await asyncio.to_thread(beacon, ""),
        "a forged form token": await asyncio.to_thread(beacon, a.cookie, form_token="1.2.3"),
        "an extra field": await asyncio.to_thread(beacon, a.cookie, owner_id=b.id),
    }
    assert {case: code for case, code in turned_away.items() if code < 400} == {}
    # What the core refuses is answered like what it keeps: an answer is checked against the
    # worksheet of an item of the client's own, so a 400 would say whether it is theirs.
    alike = {
        "a field the worksheet hasn't": await asyncio.to_thread(beacon, a.cookie, field="nope"),
        "a row that isn't a number": await asyncio.to_thread(beacon, a.cookie, field="thoughts", row="1e3"),
        "a control character": await asyncio.to_thread(beacon, a.cookie, value="a\x00b"),
        "no worksheet named": await asyncio.to_thread(
            beacon, a.cookie, item_id=(new := str(uuid.uuid4())), mark=marked(new), assignment_id=""
        ),
        # Only a new id may become a response: not another homework's response of A's.
        "another response of the client's": await asyncio.to_thread(
            beacon, a.cookie, item_id=hw.response, mark=marked(hw.response)
        ),
        "another client's assignment": await asyncio.to_thread(beacon, b.cookie),
        # Answers without the worksheet's mark, or with another item's, are written for no one
        # (an attack review claimed a new entry's id handed to another client's editor).
        "no mark": await asyncio.to_thread(beacon, a.cookie, mark=""),
        "another item's mark": await asyncio.to_thread(beacon, a.cookie, mark=marked(str(uuid.uuid4()))),
    }
    assert {case: code for case, code in alike.items() if code != 204} == {}
    await _quiet()
    after = snapshot(app)
    assert writes_between(before, after) == []
    # A's refused marks: none, another item's, and another response's own mark sent naming
    # this homework (a mark names the homework too).
    assert sorted(_audited(before, after)) == sorted(
        [_denied(c, "CALL"), _denied(b, "WRITE_ITEM"), *[_denied(a, "WRITE_ITEM")] * 3]
    )
    # Before A's first answer is kept, another client can't claim the id A's tab was given,
    # even with A's mark: it is A's, not theirs.
    before = snapshot(app)
    claim = {"assignment_id": "", "template": "thought_record", "value": "Claimed"}
    assert await asyncio.to_thread(beacon, b.cookie, **claim) == 204
    await _quiet()
    assert writes_between(before, snapshot(app)) == []

    words = app.marker("closing-answer")
    assert await asyncio.to_thread(beacon, a.cookie, value=words) == 204
    assert await asyncio.to_thread(beacon, a.cookie, field="thoughts", row="1", value="Second thought") == 204
    kept = await shown({"assignment": assignment})
    assert words in kept and "Second thought" in kept
    # Begun now, the assignment's response is not reached through another response of A's
    # either, its own mark and all (an attack review: one homework's page wrote into another's).
    before = snapshot(app)
    crossed = await asyncio.to_thread(
        beacon, a.cookie, item_id=hw.response, mark=marked(hw.response), value="Crossed"
    )
    assert crossed == 204
    await _quiet()
    assert writes_between(before, snapshot(app)) == []
    assert "Crossed" not in await shown({"assignment": assignment})
    # Another client's exercise of their own under the id of A's unsaved answers (an attack
    # review's case for this route): the id is taken, answered alike, written nowhere.
    before = snapshot(app)
    squat = await asyncio.to_thread(
        beacon, b.cookie, assignment_id="", template="thought_record", value="Squat"
    )
    assert squat == 204
    await _quiet()
    assert writes_between(before, snapshot(app)) == []
    assert "Squat" not in await shown({"assignment": assignment})

    own, first, then = str(uuid.uuid4()), app.marker("new-exercise"), app.marker("begun-exercise")
    mine = {"item_id": own, "mark": marked(own), "assignment_id": ""}
    assert await asyncio.to_thread(beacon, a.cookie, **mine, template="thought_record", value=first) == 204
    assert first in await shown({"template": "thought_record", "id": own})
    assert await asyncio.to_thread(beacon, a.cookie, **mine, field="balanced", value=then) == 204
    kept = await shown({"id": own})
    assert first in kept and then in kept
    # A library prompt's answer is a journal entry's draft: its address names the prompt.
    entry, answer = str(uuid.uuid4()), app.marker("prompt-answer")
    prompted = {
        "item_id": entry,
        "mark": marked(entry),
        "assignment_id": "",
        "prompt": "0",
        "field": "answer",
    }
    assert await asyncio.to_thread(beacon, a.cookie, **prompted, value=answer) == 204
    assert answer in await shown({"prompt": "0", "id": entry})


async def test_two_tabs_changing_one_list_write_over_nobodys_words(hw: Homework) -> None:
    """Two tabs on one exercise of the client's own. One removes the list's first item; the
    other, still showing it, types into the item after it: the words go into that item,
    where it is now, and the removed one stays removed. Then the stale tab adds an item and
    removes one the first tab has changed since: the change stays."""
    app, a = hw.app, hw.a
    seen = {"field": "seen", "column": ""}
    async with connected(app, a.cookie) as one, connected(app, a.cookie) as two:
        moved = await one.exchange(
            handler_name(WorksheetState, "open_worksheet"),
            path=routes.WORKSHEET,
            query={"template": "grounding"},
        )
        (address,) = redirect_targets(moved)
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(address).query))
        page: dict[str, Any] = {"path": routes.WORKSHEET, "query": query}

        async def call(tab: EventClient, handler: str, **payload: Any) -> dict[str, Any]:
            updates = await tab.exchange(handler_name(WorksheetState, handler), payload, **page)
            assert problem_of(updates) == "", problem_of(updates)
            return state_of(updates, WorksheetState)

        await one.exchange(handler_name(WorksheetState, "open_worksheet"), **page)
        await call(one, "answer", **seen, row=0, value="a red coat")
        await call(one, "answer", **seen, row=1, value="a tree")
        await two.exchange(handler_name(WorksheetState, "open_worksheet"), **page)  # shows both
        await call(one, "remove_row", field="seen", row=0)
        await call(two, "answer", **seen, row=1, value="a tall tree")  # still shown second there
        await call(one, "answer", **seen, row=0, value="a tall tree by the road")
        await call(two, "add_row", field="seen")
        await call(two, "remove_row", field="seen", row=0)  # changed in tab one since: stays
        reopened = state_of(
            await one.exchange(handler_name(WorksheetState, "open_worksheet"), **page), WorksheetState
        )
    items = [
        cell["text"]
        for f in reopened["fields"]
        if f["id"] == "seen"
        for r in f["rows"]
        for cell in r["cells"]
    ]
    assert items == ["a tall tree by the road", ""], items


@pytest.mark.parametrize("watcher", ["client", "clinician"])
async def test_homework_given_or_withdrawn_reaches_the_open_lists_at_once(hw: Homework, watcher: str) -> None:
    """The client's Homework page is open: an assignment appears on it, and goes again when
    withdrawn, without the client doing anything (pushed, AUTHZ-6). The same for the
    clinician's own other tab on the client's homework (found in a walk-through: a laptop
    and an office computer; one never showed what the other did, inviting a second
    assignment of the same exercise)."""
    app = hw.app
    if watcher == "client":
        cookie, state_class, listed = hw.a.cookie, HomeworkState, "to_do"
    else:
        cookie, state_class, listed = hw.c.cookie, ClientHomeworkState, "given"
    async with connected(app, cookie) as tab:
        if watcher == "client":
            await tab.exchange(handler_name(HomeworkState, "load_homework"), path=routes.HOMEWORK)
        else:
            await _load_client_homework(tab, hw.a.id)
        since = len(tab.received)
        assignment = await _assign(app, hw.c, hw.a, instructions=f"Pushed {uuid.uuid4().hex}")
        await pushed_values(
            tab, since, state_class, lambda v: any(t["id"] == assignment for t in v.get(listed, []))
        )
        since = len(tab.received)
        await _withdraw(hw, assignment)
        await pushed_values(
            tab, since, state_class, lambda v: listed in v and all(t["id"] != assignment for t in v[listed])
        )


async def _withdraw(hw: Homework, assignment: str) -> None:
    """Clinician C withdraws an assignment of client A's, from A's page."""
    async with connected(hw.app, hw.c.cookie) as doctor:
        await _load_client_homework(doctor, hw.a.id)
        withdrawn = await doctor.exchange(
            handler_name(ClientHomeworkState, "withdraw"),
            {"assignment_id": assignment},
            **_client_page(hw.a.id),
        )
        assert problem_of(withdrawn) == ""


async def test_starting_an_exercise_moves_to_its_own_address_without_saying_it_is_unavailable(
    hw: Homework,
) -> None:
    """A new exercise gets its id in the address first (a reload opens the same one); on
    the way, the page says nothing (before, "This exercise isn't available" flashed)."""
    async with connected(hw.app, hw.a.cookie) as tab:
        moved = await tab.exchange(
            handler_name(WorksheetState, "open_worksheet"),
            path=routes.WORKSHEET,
            query={"template": "grounding"},
        )
        (target,) = redirect_targets(moved)
        assert target.startswith(f"{routes.WORKSHEET}?template=grounding&id=")
        assert state_of(moved, WorksheetState).get("loaded") is not True
        opened = await tab.exchange(
            handler_name(WorksheetState, "open_worksheet"),
            path=routes.WORKSHEET,
            query=dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query)),
        )
        shown = state_of(opened, WorksheetState)
        assert (shown["loaded"], shown["found"]) == (True, True)


async def test_a_withdrawn_homeworks_old_address_leads_to_the_answers_kept(hw: Homework) -> None:
    """Found in a walk-through: the clinician withdrew a homework the client had begun; its
    address, opened again (a reload, a reminder's link), said "isn't available" though the
    answers were kept as the client's own exercise. It now leads there, and says why."""
    app = hw.app
    assignment = await _assign(app, hw.c, hw.a)
    words = app.marker("kept-after-withdrawal")
    async with connected(app, hw.a.cookie) as tab:
        await _open(tab, assignment)
        answered = await _answer(tab, assignment, "situation", words)
        assert problem_of(answered) == ""
        # Withdrawn while the page is open: said at once, at the top where notices are (a
        # walk-through found it under the last field, far below the screen).
        since = len(tab.received)
        await _withdraw(hw, assignment)
        told = await pushed_values(tab, since, AppState, lambda v: bool(v.get("notice")))
        assert told["notice"] == "Your clinician withdrew this. Your answers are kept as your own exercise."
        assert state_of(tab.received[since:], WorksheetState).get("assignment_id") == ""
    async with connected(app, hw.a.cookie) as tab:
        reopened = await _open(tab, assignment)
        assert problem_of(reopened) == ""
        (target,) = [t for t in redirect_targets(reopened) if t.startswith(routes.WORKSHEET)]
        kept_id = target.split("id=")[1]
        shown = await tab.exchange(
            handler_name(WorksheetState, "open_worksheet"), path=routes.WORKSHEET, query={"id": kept_id}
        )
        assert state_of(shown, WorksheetState).get("found") is True
        assert words in json.dumps(state_of(shown, WorksheetState))
        assert state_of(shown, AppState).get("notice") == (
            "Your clinician withdrew this homework. Your answers are kept here, as your own."
        )
    async with connected(app, hw.b.cookie) as stranger:  # anyone else: the one refusal, as before
        refused = await _open(stranger, assignment)
        assert redirect_targets(refused) == [] and problem_of(refused) != ""


async def test_one_answer_typed_on_two_devices_keeps_the_words_written_over(hw: Homework) -> None:
    """A walk-through typed one answer on a laptop, then the same box on a phone, whose box
    never showed the laptop's words: the phone's words replaced them, and they were kept
    nowhere (not even in the data download). Now the answers held before are kept apart as a
    draft of the client's own, listed as such, and the phone says so."""
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    laptop_words = app.marker("LAPTOP-A")
    async with connected(app, a.cookie) as laptop, connected(app, a.cookie) as phone:
        on_laptop = state_of(await _open(laptop, assignment), WorksheetState)
        await _open(phone, assignment)
        await _answer(laptop, assignment, "situation", laptop_words)
        since = len(laptop.received)
        typed = await _answer(phone, assignment, "situation", "PHONE-B on the bus")
        assert problem_of(typed) == ""
        assert state_of(typed, AppState)["notice"].startswith(
            "This answer was changed in another tab or on another device too."
        )
        assert "PHONE-B on the bus" in json.dumps(state_of(typed, WorksheetState)["fields"])
        # The laptop, whose words were kept apart, is told at once; what its screen shows is
        # left as it is (words may be being typed there).
        told = await pushed_values(laptop, since, AppState, lambda v: bool(v.get("notice")))
        assert told["notice"].startswith(
            "Your answers here were just changed in another tab or on another device."
        )
        assert "fields" not in state_of(laptop.received[since:], WorksheetState)
        # Returned from there, refused (its answers changed since it showed them): as its words
        # leave its fields, it says where they are (the notice that did goes with the tap).
        refused = await laptop.exchange(
            handler_name(WorksheetState, "return_worksheet"), **_worksheet_page(assignment)
        )
        assert problem_of(refused) == (
            "These answers were changed in another tab or on another device since this page showed "
            "them. Here they are now: check them, then try again. The answers this page had before "
            "are kept as a separate draft, under “Your own exercises” in your homework."
        )
        assert "PHONE-B on the bus" in json.dumps(state_of(refused, WorksheetState)["fields"])
        listed = state_of(
            await phone.exchange(handler_name(HomeworkState, "load_homework"), path=routes.HOMEWORK),
            HomeworkState,
        )
    (copy,) = [
        card for card in listed["exercises"] if card["label"] == "Draft kept from another tab or device"
    ]
    async with connected(app, a.cookie) as tab:
        opened = state_of(
            await tab.exchange(
                handler_name(WorksheetState, "open_worksheet"),
                path=routes.WORKSHEET,
                query={"id": copy["id"]},
            ),
            WorksheetState,
        )
    assert laptop_words in json.dumps(opened["fields"]) and opened["assignment_id"] == ""
    # The laptop's tab, closed (or reloaded) within half a minute of typing, hands its words
    # to a beacon, with the answer the server last gave it: the phone's, written since, are
    # kept apart too (a walk-through's reload wrote the laptop's back over them).
    laptops = {
        "item_id": on_laptop["item_id"],
        "mark": on_laptop["words_mark"],
        "assignment_id": assignment,
        "seen": laptop_words,
    }
    # Nothing typed since it was saved: the words the page was given, sent again, write
    # nothing (a walk-through's reload put the laptop's old answer back over the phone's).
    async with connected(app, a.cookie) as phone:  # the phone, open on it again
        await _open(phone, assignment)
        since, before = len(phone.received), snapshot(app)
        assert await asyncio.to_thread(_answer_beacon, app, a.cookie, **laptops, value=laptop_words) == 204
        await _quiet()
        assert writes_between(before, snapshot(app)) == []
        closing = laptop_words + ", closing"
        assert await asyncio.to_thread(_answer_beacon, app, a.cookie, **laptops, value=closing) == 204
        # The phone's words, written over by the closing tab's, were kept apart: it says so.
        told = await pushed_values(phone, since, AppState, lambda v: bool(v.get("notice")))
        assert told["notice"].startswith(
            "Your answers here were just changed in another tab or on another device."
        )
    await _quiet()
    async with connected(app, a.cookie) as tab:
        listed = state_of(
            await tab.exchange(handler_name(HomeworkState, "load_homework"), path=routes.HOMEWORK),
            HomeworkState,
        )
    kept = [card for card in listed["exercises"] if card["label"] == "Draft kept from another tab or device"]
    assert len(kept) == 2 and copy["id"] in [card["id"] for card in kept]
    # Each shows its first answer, and can be discarded (a walk-through found copies piling up,
    # none saying what it held); an assignment's own answers can't be discarded so.
    assert sorted(card["preview"] for card in kept) == sorted([laptop_words, "PHONE-B on the bus"])
    async with connected(app, a.cookie) as tab:
        await _open(tab, assignment)
        before = snapshot(app)
        refused = await tab.exchange(
            handler_name(WorksheetState, "discard_exercise"), **_worksheet_page(assignment)
        )
        assert problem_of(refused) != "" and writes_between(before, snapshot(app)) == []
        page = {"path": routes.WORKSHEET, "query": {"id": copy["id"]}}
        await tab.exchange(handler_name(WorksheetState, "open_worksheet"), **page)
        gone = await tab.exchange(handler_name(WorksheetState, "discard_exercise"), **page)
        assert redirects_of(gone) == [routes.HOMEWORK]
        listed = state_of(
            await tab.exchange(handler_name(HomeworkState, "load_homework"), path=routes.HOMEWORK),
            HomeworkState,
        )
    assert copy["id"] not in [card["id"] for card in listed["exercises"]]


async def test_an_assignments_answers_at_an_exercises_address_open_as_the_assignment(hw: Homework) -> None:
    """Attack review: an assignment's answers opened at an exercise's address (their id is in
    the page) as an exercise of the client's own, and "Discard draft" there deleted them.
    That address now leads to the assignment's; discarding them so is refused."""
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    async with connected(app, a.cookie) as tab:
        item = state_of(await _open(tab, assignment), WorksheetState)["item_id"]
        assert problem_of(await _answer(tab, assignment, "situation", app.marker("not-an-exercise"))) == ""
        page = {"path": routes.WORKSHEET, "query": {"id": item.upper()}}
        opened = await tab.exchange(handler_name(WorksheetState, "open_worksheet"), **page)
        assert redirect_targets(opened) == [f"{routes.WORKSHEET}?assignment={assignment}"]
        assert state_of(opened, WorksheetState).get("found") is not True
        before = snapshot(app)
        refused = await tab.exchange(handler_name(WorksheetState, "discard_exercise"), **page)
        assert problem_of(refused) != "" and writes_between(before, snapshot(app)) == []


async def test_a_homework_pages_beacon_writes_into_no_other_homework(hw: Homework) -> None:
    """Attack review: homework Y's page (a new id and its mark) sent a closing tab's answer
    naming homework X, begun under another id: it followed X to its response and wrote there.
    The mark names the homework too: refused (answered as any refusal is), nothing written."""
    app, a, c = hw.app, hw.a, hw.c
    x, y = await _assign(app, c, a), await _assign(app, c, a)
    async with connected(app, a.cookie) as tab:
        await _open(tab, x)
        assert problem_of(await _answer(tab, x, "situation", "X's own words")) == ""
        on_y = state_of(await _open(tab, y), WorksheetState)
    words, before = app.marker("crossed-into-x"), snapshot(app)
    mark = {"item_id": on_y["item_id"], "mark": on_y["words_mark"], "field": "evidence_for"}
    assert await asyncio.to_thread(_answer_beacon, app, a.cookie, **mark, assignment_id=x, value=words) == 204
    await _quiet()
    assert writes_between(before, snapshot(app)) == []  # (a DENIED audit row only)
    # Y's own answer, with its own mark, is kept as before.
    assert await asyncio.to_thread(_answer_beacon, app, a.cookie, **mark, assignment_id=y, value=words) == 204
    async with connected(app, a.cookie) as tab:
        assert words not in json.dumps(state_of(await _open(tab, x), WorksheetState)["fields"])
        assert words in json.dumps(state_of(await _open(tab, y), WorksheetState)["fields"])


async def test_homework_on_two_devices_returns_only_what_was_on_the_screen(hw: Homework) -> None:
    """A walk-through, the same assignment open on a laptop and a phone. The phone began it
    and returned it; the laptop, still empty, was then told to reload, which lost its typed
    answer (H2). And with both going, the laptop returned the phone's later words while
    showing its own (H1). Now the laptop's answer joins the response the phone began (said,
    and its answers shown), and a return of answers changed on the other device since the
    page showed them returns nothing and shows them, to check first. (Here the phone only
    saves what it began: a return reaches the laptop at once, tested above.)"""
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    page = _worksheet_page(assignment)
    async with connected(app, a.cookie) as laptop, connected(app, a.cookie) as phone:
        await _open(laptop, assignment)
        await _open(phone, assignment)
        await _answer(phone, assignment, "situation", "PHONE-A on the bus")
        kept = await phone.exchange(handler_name(WorksheetState, "save_worksheet"), **page)
        assert problem_of(kept) == "", problem_of(kept)
        # The laptop, which began nothing, types: the answer joins the phone's response.
        joined = await _answer(laptop, assignment, "evidence_for", "LAPTOP-B: a different moment")
        assert problem_of(joined) == ""
        assert state_of(joined, AppState)["notice"].startswith(
            "This homework was begun in another tab or on another device"
        )
        shown = json.dumps(state_of(joined, WorksheetState)["fields"])
        assert "PHONE-A on the bus" in shown and "LAPTOP-B: a different moment" in shown
        assert state_of(joined, WorksheetState)["returned"] is False
        # The phone changes an answer the laptop still shows as it was: the laptop's return
        # (its clinician would see it) returns nothing, and shows the answers as they are now.
        await _open(phone, assignment)
        await _answer(phone, assignment, "situation", "PHONE-C at home")
        before = snapshot(app)
        stale = await laptop.exchange(handler_name(WorksheetState, "return_worksheet"), **page)
        assert problem_of(stale).startswith("These answers were changed in another tab")
        assert "separate draft" not in problem_of(stale)  # none was kept: nothing to point to
        assert writes_between(before, snapshot(app)) == []
        assert "PHONE-C at home" in json.dumps(state_of(stale, WorksheetState)["fields"])
        # Not "Your answers are back, as you left them": they are as the phone left them.
        assert state_of(stale, WorksheetState).get("status") == ""
        returned = await laptop.exchange(handler_name(WorksheetState, "return_worksheet"), **page)
        assert problem_of(returned) == "" and redirects_of(returned) == [routes.HOMEWORK]
    async with connected(app, c.cookie) as desk:
        shown = await desk.exchange(
            handler_name(ReturnedState, "load_returned"), **_returned_page(assignment)
        )
    read = json.dumps(state_of(shown, ReturnedState)["fields"])
    assert "PHONE-C at home" in read and "LAPTOP-B: a different moment" in read


async def test_exercises_of_the_clients_own_past_the_first_twenty_are_a_tap_away(hw: Homework) -> None:
    """Attack review: only the newest 20 exercises of the client's own (and 20 drafts) were
    listed; older ones could be opened from nowhere but the data download. Past 20, "Show
    more exercises" lists 20 more."""
    app, b = hw.app, hw.b
    total = homework.EXERCISES_SHOWN + 2
    async with connected(app, b.cookie) as tab:
        for index in range(total):
            start = await tab.exchange(
                handler_name(WorksheetState, "open_worksheet"),
                path=routes.WORKSHEET,
                query={"template": "thought_record"},
            )
            (target,) = redirect_targets(start)
            page = {"path": routes.WORKSHEET, "query": dict(urllib.parse.parse_qsl(target.split("?", 1)[1]))}
            await tab.exchange(handler_name(WorksheetState, "open_worksheet"), **page)
            await tab.exchange(
                handler_name(WorksheetState, "answer"),
                {"field": "situation", "row": -1, "column": "", "value": f"Exercise {index}"},
                **page,
            )
            if index != total - 1:  # the newest is a draft, the others saved
                saved = await tab.exchange(handler_name(WorksheetState, "save_worksheet"), **page)
                assert problem_of(saved) == "", problem_of(saved)
        first = state_of(
            await tab.exchange(handler_name(HomeworkState, "load_homework"), path=routes.HOMEWORK),
            HomeworkState,
        )
        more = state_of(
            await tab.exchange(handler_name(HomeworkState, "show_more_exercises"), path=routes.HOMEWORK),
            HomeworkState,
        )

    def previews(listed: dict[str, Any]) -> list[str]:
        return [card["preview"] for card in listed["exercises"]]

    newest_first = [f"Exercise {index}" for index in reversed(range(total))]
    assert previews(first) == newest_first[: homework.EXERCISES_SHOWN + 1]  # the draft and 20 saved
    assert first["more_exercises"] is True
    assert previews(more) == newest_first and more["more_exercises"] is False


async def test_a_response_taken_back_and_returned_again_is_offered_on_a_reconnected_page(
    hw: Homework,
) -> None:
    """C's page on a returned response was offline when A took it back: back (the same tab),
    it holds nothing of it and keeps the comment box; A returns it again: the page is told
    at once ("Show it", nothing of it pushed), as it would have been without the break."""
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    words = app.marker("returned-again")
    await _answer_and_finish(app, a, assignment, words, finish="return_worksheet")
    desk = await connect(app, c.cookie)
    await desk.exchange(handler_name(ReturnedState, "load_returned"), **_returned_page(assignment))
    token = desk.token
    await desk.close()
    await _client_taps(app, a, assignment, "take_back")
    back = await reconnect_same_token(app, token, c.cookie)
    try:
        hydrated = await back.exchange(handler_name(rx.State, "hydrate"), **_returned_page(assignment))
        assert words not in json.dumps(hydrated)
        assert state_of(hydrated, ReturnedState).get("taken_back") is True
        since = len(back.received)
        await _client_taps(app, a, assignment, "return_worksheet")
        await pushed_values(back, since, AppState, lambda v: v.get("shared_waiting_on") == routes.RETURNED)
        assert words not in json.dumps(back.received[since:])
    finally:
        await back.close()


async def test_a_new_comment_shows_on_the_clients_home_page_at_once_until_opened(hw: Homework) -> None:
    """A walk-through: a clinician's comment showed only under Homework, "Returned", and a
    client who lives on the journal page never saw it. The journal page (home) lists it as
    soon as it is written (pushed), until the client opens it; changed, it is new again."""
    app, a, c = hw.app, hw.a, hw.c
    assignment = await _assign(app, c, a)
    await _answer_and_finish(app, a, assignment, app.marker("commented-on"), finish="return_worksheet")
    home: dict[str, Any] = {"path": routes.JOURNAL}

    async def comment(text: str) -> None:
        async with connected(app, c.cookie) as doctor:
            await doctor.exchange(handler_name(ReturnedState, "load_returned"), **_returned_page(assignment))
            saved = await doctor.exchange(
                handler_name(ReturnedState, "save_comment"),
                {"form": {"comment": text}},
                **_returned_page(assignment),
            )
            assert problem_of(saved) == "", saved

    def listed(values: dict[str, Any]) -> list[tuple[str, str]]:
        return [(t["id"], t["status"]) for t in values.get("new_comments", [])]

    async with connected(app, a.cookie) as tab:
        loaded = await tab.exchange(handler_name(HomeworkState, "load_to_do"), **home)
        assert listed(state_of(loaded, HomeworkState)) == []
        since = len(tab.received)
        await comment("Well done, this was a hard one.")
        pushed = await pushed_values(tab, since, HomeworkState, lambda v: bool(listed(v)))
        assert listed(pushed) == [(assignment, "New comment from your clinician")]

        # Opened on another device: this home page lists it no more, at once (pushed).
        since = len(tab.received)
        async with connected(app, a.cookie) as other_tab:
            opened = state_of(await _open(other_tab, assignment), WorksheetState)
            assert opened["comment"] == "Well done, this was a hard one."
        await pushed_values(tab, since, HomeworkState, lambda v: "new_comments" in v and not listed(v))
        # Saved again as it was, it is not new again; changed, it is.
        await comment("Well done, this was a hard one.")
        again = await tab.exchange(handler_name(HomeworkState, "load_to_do"), **home)
        assert listed(state_of(again, HomeworkState)) == []

        since = len(tab.received)
        await comment("Well done, this was a hard one. One more thought for next time.")
        pushed = await pushed_values(tab, since, HomeworkState, lambda v: bool(listed(v)))
        assert listed(pushed) == [(assignment, "New comment from your clinician")]
    # The Homework page reads the same status on the returned card; it lists no new comments
    # of its own (they are on the home page).
    async with connected(app, a.cookie) as tab:
        page = state_of(
            await tab.exchange(handler_name(HomeworkState, "load_homework"), path=routes.HOMEWORK),
            HomeworkState,
        )
        assert (assignment, "New comment from your clinician") in [
            (t["id"], t["status"]) for t in page["done"]
        ]
        assert page.get("new_comments", []) == []
