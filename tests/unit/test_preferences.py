"""Each person's language and time zone: first from their browser, then their own choice."""

from __future__ import annotations

import uuid

import pytest
from unit_support import People

from betterjournal.api import language_from_cookie_header, session_token_from_cookie_header
from betterjournal.core import accounts
from betterjournal.core.errors import InvalidInput
from betterjournal.db import session_scope
from betterjournal.i18n import ENGLISH, FRENCH, TIME_ZONE_CHOICES, Reader
from betterjournal.models import User, Viewer


def _preferences(user_id: uuid.UUID) -> tuple[str | None, str | None]:
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.language, user.time_zone


def _adopt(user_id: uuid.UUID, language: object, time_zone: object) -> None:
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        accounts.adopt_first_preferences(session, user, language=language, time_zone=time_zone)


def _viewer(user_id: uuid.UUID) -> Viewer:
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        token = accounts.start_session(session, user)
    with session_scope() as session:
        viewer = accounts.resolve_session(session, token)
    assert viewer is not None
    return viewer


def test_a_new_account_has_no_choice_yet(db: People) -> None:
    assert _preferences(db.client_a.id) == (None, None)
    viewer = _viewer(db.client_a.id)
    assert (viewer.language, viewer.time_zone) == (None, None)


def test_the_first_sign_in_takes_the_browsers_language_and_zone(db: People) -> None:
    _adopt(db.client_a.id, FRENCH, "America/Vancouver")
    assert _preferences(db.client_a.id) == (FRENCH, "America/Vancouver")
    viewer = _viewer(db.client_a.id)
    assert (viewer.language, viewer.time_zone) == (FRENCH, "America/Vancouver")
    # Later sign-ins from other browsers change nothing: the person's choice stands.
    _adopt(db.client_a.id, ENGLISH, "America/Halifax")
    assert _preferences(db.client_a.id) == (FRENCH, "America/Vancouver")


def test_a_browsers_other_name_for_a_listed_zone_is_that_zone(db: People) -> None:
    """'America/Montreal' is another name for 'America/Toronto' (the list's Eastern time): it
    is kept as that, so the settings show it chosen in the list, not a second entry."""
    _adopt(db.client_a.id, ENGLISH, "America/Montreal")
    assert _preferences(db.client_a.id) == (ENGLISH, "America/Toronto")
    _adopt(db.client_b.id, ENGLISH, "Europe/Paris")  # outside the list: kept as it is
    assert _preferences(db.client_b.id) == (ENGLISH, "Europe/Paris")


def test_a_zone_outside_the_list_is_named_by_its_city_in_the_persons_language() -> None:
    from betterjournal.state.settings import zone_choices

    for language, expected in ((ENGLISH, "Paris time"), (FRENCH, "Fuseau horaire\u00a0: Paris")):
        choices = zone_choices(Reader(language), "Europe/Paris")
        assert choices[-1].value == "Europe/Paris" and choices[-1].label == expected
        assert len(choices) == len(TIME_ZONE_CHOICES) + 1
    assert len(zone_choices(Reader(ENGLISH), "America/Halifax")) == len(TIME_ZONE_CHOICES)


@pytest.mark.parametrize(
    ("language", "time_zone"),
    [("de", "Mars/Olympus_Mons"), ("", ""), (None, None), (["fr-CA"], {"zone": 1}), ("fr-CA\x00", "../etc")],
)
def test_a_hint_that_isnt_valid_is_ignored_at_sign_in(
    db: People, language: object, time_zone: object
) -> None:
    _adopt(db.client_a.id, language, time_zone)
    assert _preferences(db.client_a.id) == (None, None)


def test_settings_keep_the_persons_choice(db: People) -> None:
    with session_scope() as session:
        accounts.set_preferences(
            session, user_id=db.clinician_a.id, language=FRENCH, time_zone="America/Halifax"
        )
    assert _preferences(db.clinician_a.id) == (FRENCH, "America/Halifax")
    assert _preferences(db.clinician_b.id) == (None, None)  # nobody else's


@pytest.mark.parametrize(
    ("language", "time_zone", "message"),
    [
        ("de", "America/Halifax", "Choose English or Français (Canada)."),
        (None, "America/Halifax", "Choose English or Français (Canada)."),
        (FRENCH, "Atlantis/Capital", "Choose a time zone from the list."),
        (FRENCH, 42, "Choose a time zone from the list."),
        (FRENCH, "", "Choose a time zone from the list."),
        # Zones this machine knows that are no place (attack review): the server's own clock
        # setting, and rules with no city to name them by.
        (FRENCH, "localtime", "Choose a time zone from the list."),
        (FRENCH, "Factory", "Choose a time zone from the list."),
        (FRENCH, "EST5EDT", "Choose a time zone from the list."),
        (FRENCH, "Etc/GMT+5", "Choose a time zone from the list."),
        (FRENCH, "posix/America/Halifax", "Choose a time zone from the list."),
    ],
)
def test_settings_refuse_what_isnt_a_choice_and_change_nothing(
    db: People, language: object, time_zone: object, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused, session_scope() as session:
        accounts.set_preferences(session, user_id=db.client_a.id, language=language, time_zone=time_zone)
    assert str(refused.value) == message
    assert _preferences(db.client_a.id) == (None, None)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("bj_language=fr-CA", FRENCH),
        ("other=1; bj_language=en; x=y", ENGLISH),
        ("bj_language=de", None),
        ("bj_language=<script>", None),
        ("", None),
    ],
)
def test_the_language_cookie_is_read_only_when_it_names_a_language(header: str, language: str | None) -> None:
    assert language_from_cookie_header(header) == language


def test_the_session_cookie_is_still_found_beside_the_language_cookie() -> None:
    from betterjournal.settings import get_settings

    name = get_settings().session_cookie_name
    assert session_token_from_cookie_header(f"bj_language=fr-CA; {name}=abc") == "abc"


def _page_through_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The response headers the app's middleware sends for an HTML page requested with these."""
    import asyncio

    from betterjournal.api import SecurityHeaders

    async def page(scope, receive, send) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]}
        )
        await send({"type": "http.response.body", "body": b"<html><body>page</body></html>"})

    sent: list[dict] = []

    async def send(message) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request"}

    scope = {"type": "http", "path": "/signin", "headers": headers}
    asyncio.run(SecurityHeaders(page)(scope, receive, send))
    return sent[0]["headers"]


def test_a_new_browsers_first_page_remembers_the_language_it_asks_for() -> None:
    """The websocket that follows a page may not carry the browser's Accept-Language
    (Chromium's locale emulation doesn't): the page's cookie carries it instead."""
    first = _page_through_security_headers([(b"accept-language", b"fr-CA,fr;q=0.9")])
    cookies = [value.decode() for name, value in first if name == b"set-cookie"]
    assert len(cookies) == 1 and cookies[0].startswith("bj_language=fr-CA;")
    assert "SameSite=Strict" in cookies[0] and "HttpOnly" not in cookies[0]
    # A browser that has used the app keeps its own language: nothing is set again.
    again = _page_through_security_headers([(b"accept-language", b"fr-CA"), (b"cookie", b"bj_language=en")])
    assert not [name for name, _ in again if name == b"set-cookie"]
