"""Words typed as the session ended go back into their draft with the next sign-in.

A walk-through: signed out from another device mid-sentence, the draft lacked the last
words (the page could only offer to copy them). The sign-in form now carries the editor's
unconfirmed words (assets/unsent_words.jsx), and the server writes them as the draft beacon
does, once the password (and the code, with two-step sign-in on) has made the person that
draft's owner (api.sign_in, SignInCodeState.submit_code)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import two_step
from appserver import RunningApp
from socket_support import (
    connected,
    new_audit_rows,
    new_entry_id,
    new_password,
    problem_of,
    redirect_targets,
    redirects_of,
    snapshot,
    state_of,
    uuid_hex,
)
from socketclient import EventClient, enter_code, handler_name, post_form, post_sign_in, sign_in, sign_out
from sqlmodel import col, select, update

from betterjournal import routes, scheduler
from betterjournal.core import accounts, drafts, form_tokens
from betterjournal.db import session_scope
from betterjournal.models import AuthSession, User, utcnow
from betterjournal.state.editor import EditorState


async def _client(app: RunningApp, label: str) -> tuple[str, str]:
    email, password = f"{label}-{uuid.uuid4().hex[:8]}@example.com", new_password()
    await asyncio.to_thread(app.create_user, "client", email, label.replace("-", " ").title(), password)
    return email, password


async def _half_written(app: RunningApp, tab: EventClient, label: str) -> tuple[dict[str, str], str]:
    """A new entry with a draft saved; the editor's fields as its page hands them over
    (the words typed since, unconfirmed, added by the caller), and the saved words."""
    entry_id = await new_entry_id(tab)
    where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": entry_id}}
    opened = await tab.exchange(handler_name(EditorState, "open_editor"), **where)
    mark = state_of(opened, EditorState)["words_mark"]  # whose words they are
    saved = app.marker(f"{label}-saved")
    typed = await tab.exchange(handler_name(EditorState, "edit_body"), {"value": saved}, **where)
    seen = state_of(typed, EditorState)["draft_seen"]
    unsent = {"entry_id": entry_id, "title": "", "seen": seen, "known_title": "", "known_body": saved}
    unsent["mark"] = mark
    return {f"unsent_{name}": value for name, value in unsent.items()}, saved


async def _two_step_client_half_written(app: RunningApp, label: str) -> tuple[str, str, dict[str, str], str]:
    """A client with two-step sign-in on and an entry half written (`_half_written`): their
    email, password, the editor's fields and the saved words."""
    email, password = await _client(app, label)
    await asyncio.to_thread(app.enrol_two_step, email)
    async with connected(app, await sign_in(app.url, email, password)) as phone:
        form, saved = await _half_written(app, phone, label)
    return email, password, form, saved


def _drafts_of(email: str) -> dict[str, str]:
    with session_scope() as session:
        owner = session.exec(select(User.id).where(col(User.email) == email)).one()
        return {str(d.item_id): d.fields["body"] for d in drafts.every_draft(session, owner_id=owner)}


async def test_words_typed_as_another_device_signed_this_one_out_are_back_after_signing_in(
    running_app: RunningApp,
) -> None:
    app = running_app
    email, password = await _client(app, "back-in")
    cookie = await sign_in(app.url, email, password)
    async with connected(app, cookie) as phone:
        form, saved = await _half_written(app, phone, "back-in")
    laptop = await sign_in(app.url, email, password)
    assert await asyncio.to_thread(sign_out, app.url, laptop, everywhere=True) == 303
    tail = " " + app.marker("right-before-the-other-device")
    form["unsent_body"] = saved + tail
    # A wrong password writes nothing (the page keeps the words for another try).
    status, headers = await post_sign_in(app.url, email, "not-the-password-1", form)
    assert (status, headers["location"].split("?")[0]) == (303, routes.SIGN_IN)
    with app.core():
        assert _drafts_of(email) == {form["unsent_entry_id"]: saved}
    # The id spelled another way still names the draft; the page it opens spells it one way.
    spelled = {**form, "unsent_entry_id": form["unsent_entry_id"].upper()}
    status, headers = await post_sign_in(app.url, email, password, spelled)
    assert (status, headers["location"]) == (303, routes.write(form["unsent_entry_id"]))
    with app.core():
        assert _drafts_of(email) == {form["unsent_entry_id"]: saved + tail}


async def test_words_carried_into_a_sign_in_write_only_into_the_signed_in_persons_own_draft(
    running_app: RunningApp,
) -> None:
    """Another client signing in on the same phone, with the first one's words still in its
    memory (or with a forged form naming them): their sign-in goes on as ever, and nothing
    is written anywhere. Words too long to keep are refused alike; a draft written since on
    another device is kept apart, as the beacon keeps it."""
    app = running_app
    owner, owner_password = await _client(app, "words-owner")
    other, other_password = await _client(app, "someone-else")
    async with connected(app, await sign_in(app.url, owner, owner_password)) as phone:
        form, saved = await _half_written(app, phone, "words-owner")
        form["unsent_body"] = saved + " " + app.marker("not-yours")
        status, headers = await post_sign_in(app.url, other, other_password, form)
        assert status == 303 and headers["location"] != routes.write(form["unsent_entry_id"])
        assert headers.get("set-cookie")
        with app.core():
            assert _drafts_of(owner) == {form["unsent_entry_id"]: saved}
            assert _drafts_of(other) == {}
        # Too long for a draft: refused, the sign-in goes on to the journal as usual.
        too_long = {**form, "unsent_body": "x" * 200_000}
        status, headers = await post_sign_in(app.url, owner, owner_password, too_long)
        assert (status, headers["location"]) == (303, routes.HOME)
        # Written since on the laptop (the phone's `seen` is older): kept apart, not lost.
        where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": form["unsent_entry_id"]}}
        laptop_words = app.marker("typed-on-the-laptop")
        await phone.exchange(handler_name(EditorState, "edit_body"), {"value": laptop_words}, **where)
    status, headers = await post_sign_in(app.url, owner, owner_password, form)
    assert (status, headers["location"]) == (303, routes.write(form["unsent_entry_id"]))
    with app.core():
        kept = _drafts_of(owner)
    assert kept[form["unsent_entry_id"]] == form["unsent_body"]
    assert sorted(kept.values()) == sorted([form["unsent_body"], laptop_words])


def _held_words(email: str) -> list[bytes]:
    """The sealed words every session of this person holds for its code step."""
    with session_scope() as session:
        owner = session.exec(select(User.id).where(col(User.email) == email)).one()
        held = select(AuthSession.unsent_ct).where(
            col(AuthSession.user_id) == owner, col(AuthSession.unsent_ct).is_not(None)
        )
        return [blob for blob in session.exec(held) if blob is not None]


async def test_with_two_step_sign_in_the_words_wait_sealed_for_the_code_and_go_back_after_it(
    running_app: RunningApp,
) -> None:
    """The code comes on a page of its own: the words wait with the session that waits for
    it, sealed, are written only once the code is right, and are dropped from there."""
    app = running_app
    email, password, form, saved = await _two_step_client_half_written(app, "two-step-words")
    laptop = await sign_in(app.url, email, password)
    assert await asyncio.to_thread(sign_out, app.url, laptop, everywhere=True) == 303
    tail = " " + app.marker("typed-before-the-code")
    form["unsent_body"] = saved + tail
    status, headers = await post_sign_in(app.url, email, password, form)
    assert status == 303 and headers["location"].startswith(routes.SIGN_IN_CODE)
    waiting = headers["set-cookie"].split(";", 1)[0]
    with app.core():
        # The password alone writes nothing; the words wait sealed (no plain text in the row).
        assert _drafts_of(email) == {form["unsent_entry_id"]: saved}
        [sealed] = _held_words(email)
        assert tail.strip().encode() not in sealed and saved.encode() not in sealed
    # A wrong code: still nothing written, still held.
    refused = await enter_code(app.url, waiting, "000000")
    assert problem_of(refused) and not redirects_of(refused)
    with app.core():
        assert _drafts_of(email) == {form["unsent_entry_id"]: saved}
        assert len(_held_words(email)) == 1
    updates = await enter_code(app.url, waiting, two_step.next_code(email))
    assert redirect_targets(updates) == [routes.write(form["unsent_entry_id"])]
    with app.core():
        assert _drafts_of(email) == {form["unsent_entry_id"]: saved + tail}
        assert _held_words(email) == []


async def test_words_waiting_for_a_code_go_on_only_in_the_same_browser_and_a_clinician_s_are_never_held(
    running_app: RunningApp,
) -> None:
    """Sign-ins with the password alone, again and again, hold one copy. Back on the sign-in
    page from the code page (the page no longer has the words), the next sign-in in that
    browser takes them on to its own code, even once the first one's time has run out. A
    sign-in from another browser does not: someone with the password alone could otherwise
    leave words to be written into the person's draft at their next code."""
    app = running_app
    email, password, form, saved = await _two_step_client_half_written(app, "code-never-given")
    form["unsent_body"] = saved + " " + app.marker("given-later")
    for _ in range(3):
        status, headers = await post_sign_in(app.url, email, password, form)
        assert status == 303
    browser = headers["set-cookie"].split(";", 1)[0]
    with app.core():
        assert len(_held_words(email)) == 1
        with session_scope() as session:  # the code step's quarter of an hour has passed
            session.exec(
                update(AuthSession)
                .where(col(AuthSession.unsent_ct).is_not(None))
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )
    # The same browser, carrying no words: they go on to its new sign-in, and back after the code.
    status, headers = await post_sign_in(app.url, email, password, cookie=browser)
    assert status == 303 and headers["location"].startswith(routes.SIGN_IN_CODE)
    with app.core():
        assert len(_held_words(email)) == 1
    waiting = headers["set-cookie"].split(";", 1)[0]
    updates = await enter_code(app.url, waiting, two_step.next_code(email))
    assert redirect_targets(updates) == [routes.write(form["unsent_entry_id"])]
    with app.core():
        assert _held_words(email) == []
        assert _drafts_of(email) == {form["unsent_entry_id"]: form["unsent_body"]}
    # Another browser's words (someone with the password alone) wait; the person's own
    # sign-in, elsewhere, lets them go, and its code writes nothing of them.
    planted = {**form, "unsent_body": app.marker("planted")}
    status, _ = await post_sign_in(app.url, email, password, planted)
    assert status == 303
    status, headers = await post_sign_in(app.url, email, password)
    with app.core():
        assert _held_words(email) == []
    updates = await enter_code(app.url, headers["set-cookie"].split(";", 1)[0], two_step.next_code(email))
    assert routes.write(form["unsent_entry_id"]) not in redirect_targets(updates)
    with app.core():
        assert _drafts_of(email) == {form["unsent_entry_id"]: form["unsent_body"]}
    # A clinician's sign-in carrying a client's words holds nothing for its code.
    clinician, clinician_password = f"clin-{uuid.uuid4().hex[:8]}@example.com", new_password()
    await asyncio.to_thread(app.create_user, "clinician", clinician, "Words Clinician", clinician_password)
    status, headers = await post_sign_in(app.url, clinician, clinician_password, form)
    assert status == 303 and headers["location"].startswith(routes.SIGN_IN_CODE)
    with app.core():
        assert _held_words(clinician) == []


async def test_words_held_for_a_code_go_with_the_sign_in_when_it_is_ended_or_a_day_after_it_ran_out(
    running_app: RunningApp,
) -> None:
    """ "Sign out everywhere" (someone else may have the password) ends the sign-in waiting
    for its code, and the words it held go with it: the same browser's next sign-in has
    nothing to take on (an attack review: they were written after its code). Words of a
    sign-in no one came back to go a day after it ran out (the background round)."""
    app = running_app
    email, password, form, saved = await _two_step_client_half_written(app, "ended-while-held")
    form["unsent_body"] = saved + " " + app.marker("held-then-ended")
    laptop = await sign_in(app.url, email, password)  # (a sign-in lets go of words held before it)
    status, headers = await post_sign_in(app.url, email, password, form)
    assert status == 303
    browser = headers["set-cookie"].split(";", 1)[0]
    with app.core():
        assert len(_held_words(email)) == 1
    assert await asyncio.to_thread(sign_out, app.url, laptop, everywhere=True) == 303
    with app.core():
        assert _held_words(email) == []
    status, headers = await post_sign_in(app.url, email, password, cookie=browser)
    assert status == 303 and headers["location"].startswith(routes.SIGN_IN_CODE)
    updates = await enter_code(app.url, headers["set-cookie"].split(";", 1)[0], two_step.next_code(email))
    assert routes.write(form["unsent_entry_id"]) not in redirect_targets(updates)
    with app.core():
        assert _drafts_of(email) == {form["unsent_entry_id"]: saved}
    # Held again, and the sign-in left: kept while it may be taken on, gone a day after it ran out.
    status, _ = await post_sign_in(app.url, email, password, form)
    assert status == 303
    with app.core():
        for ran_out, held in ((timedelta(hours=23), 1), (accounts.HELD_WORDS_KEPT, 0)):
            with session_scope() as session:
                session.exec(
                    update(AuthSession)
                    .where(col(AuthSession.unsent_ct).is_not(None))
                    .values(expires_at=utcnow() - ran_out)
                )
            scheduler.let_go_of_held_words()
            assert len(_held_words(email)) == held


async def test_a_new_entrys_words_before_any_draft_are_written_only_for_the_person_whose_editor_it_was(
    running_app: RunningApp,
) -> None:
    """The attack (an attack review): a new entry's id, handed to one client's editor, with
    no draft saved yet (the first words never got through). Another client signing in on
    that phone with the words still in its memory, or sending the draft beacon with them,
    took the id: the words became theirs, and the owner's editor then refused its own id.
    Now the words carry the owner's editor's mark: written for no one else, the id stays the
    owner's."""
    app = running_app
    owner, owner_password = await _client(app, "fresh-id-owner")
    other, other_password = await _client(app, "fresh-id-other")
    owner_cookie = await sign_in(app.url, owner, owner_password)
    async with connected(app, owner_cookie) as phone:
        entry_id = await new_entry_id(phone)
        where: dict[str, Any] = {"path": routes.WRITE, "query": {"id": entry_id}}
        opened = await phone.exchange(handler_name(EditorState, "open_editor"), **where)
        mark = state_of(opened, EditorState)["words_mark"]
        words = {"entry_id": entry_id, "title": "", "body": app.marker("first-words-never-sent")}
        words |= {"seen": "", "known_title": "", "known_body": "", "mark": mark}
        form = {f"unsent_{name}": value for name, value in words.items()}
        # The next person on that phone signs in: nothing of the words is theirs, and the
        # refusal is on record, as the beacon's is (an attack review found it silent here).
        before = snapshot(app)
        status, headers = await post_sign_in(app.url, other, other_password, form)
        assert status == 303 and headers["location"] != routes.write(entry_id)
        refused = [row[2:] for row in new_audit_rows(before, snapshot(app)) if row[4] == "DENIED"]
        assert refused == [(uuid_hex(entry_id), "WRITE_ITEM", "DENIED")]
        # The other's draft beacon with the words: answered alike, nothing written.
        other_cookie = headers["set-cookie"].split(";", 1)[0]
        with app.core():
            token = form_tokens.issue()
        beacon = await asyncio.to_thread(
            post_form, app.url, routes.API_KEEP_DRAFT, {"form_token": token, **words}, cookie=other_cookie
        )
        assert beacon[0] == 204
        with app.core():
            assert _drafts_of(other) == {} and _drafts_of(owner) == {}
        # The id is still the owner's: their editor opens it, and their own words go in.
        again = await phone.exchange(handler_name(EditorState, "open_editor"), **where)
        assert problem_of(again) == "" and not state_of(again, EditorState).get("editor_unavailable")
        status, headers = await post_sign_in(app.url, owner, owner_password, form)
        assert (status, headers["location"]) == (303, routes.write(entry_id))
        with app.core():
            assert _drafts_of(owner) == {entry_id: words["body"]}
