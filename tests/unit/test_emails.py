"""The emails' words (betterjournal/emails.py): both languages, escaped HTML, no health
information (PRIV-4), nothing loaded from elsewhere."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest

from betterjournal import emails
from betterjournal.i18n import ENGLISH, FRENCH, Reader

# A link with characters HTML must escape, as a link could have in a query.
LINK = 'https://journal.example.test/confirm/TOKEN?a=1&b=<2>"'
SIGN_IN = "https://journal.example.test/sign-in"

EMAILS: dict[str, Callable[[Reader], emails.Email]] = {
    "set_password": lambda reader: emails.set_password(reader, LINK),
    "confirm_email": lambda reader: emails.confirm_email(reader, LINK),
    "someone_tried": lambda reader: emails.someone_tried(reader, SIGN_IN, LINK),
    "reset_password": lambda reader: emails.reset_password(reader, LINK),
    "password_changed": lambda reader: emails.password_changed(reader, LINK),
    "email_changed": emails.email_changed,
    "email_change_asked": lambda reader: emails.email_change_asked(reader, LINK),
    **{
        f"two_step_{change}": lambda reader, c=change: emails.two_step_changed(reader, c)
        for change in ("on", "off", "codes")
    },
}
WITH_LINK = {
    "set_password",
    "confirm_email",
    "someone_tried",
    "reset_password",
    "password_changed",
    "email_change_asked",
}
# Words that say what the app is for, or about anyone's health or care.
TELLING = re.compile(
    r"therap|thérap|psych|counsel|mental|health|santé|clinician|clinicien|diagnos|mood|humeur|"
    r"anxi|depress|dépress|journal entr|session",
    re.IGNORECASE,
)


@pytest.fixture(params=[ENGLISH, FRENCH])
def reader(request: pytest.FixtureRequest) -> Reader:
    return Reader(language=request.param)


@pytest.mark.parametrize("name", sorted(EMAILS))
def test_every_email_has_its_parts(name: str, reader: Reader) -> None:
    email = EMAILS[name](reader)
    assert email.subject.startswith("Betterjournal")
    if reader.language == ENGLISH:
        assert email.subject.startswith("Betterjournal: ")
    assert "\n" not in email.subject and len(email.subject) < 78
    assert email.text.strip() and email.html.strip()
    assert f'<html lang="{reader.language}">' in email.html
    assert html.escape(email.subject) in email.html  # the title


@pytest.mark.parametrize("name", sorted(WITH_LINK))
def test_the_link_is_in_the_text_and_escaped_in_the_html(name: str, reader: Reader) -> None:
    email = EMAILS[name](reader)
    assert LINK in email.text.splitlines()  # on a line of its own, to be followed as it is
    assert f'href="{html.escape(LINK)}"' in email.html
    assert LINK not in email.html and "<2>" not in email.html


def test_someone_tried_offers_sign_in_first_and_a_new_password_second(reader: Reader) -> None:
    email = emails.someone_tried(reader, SIGN_IN, LINK)
    assert email.text.index(SIGN_IN) < email.text.index(LINK)
    assert email.html.count("<a ") == 2 and email.html.count("display:inline-block") == 1


@pytest.mark.parametrize("name", sorted(EMAILS))
def test_no_email_says_what_the_app_is_for(name: str, reader: Reader) -> None:
    email = EMAILS[name](reader)
    for part in (email.subject, email.text, email.html):
        assert not TELLING.search(part), TELLING.search(part)


@pytest.mark.parametrize("name", sorted(EMAILS))
def test_the_html_loads_nothing_and_runs_nothing(name: str, reader: Reader) -> None:
    page = EMAILS[name](reader).html.lower()
    for needle in ("<img", "<link", "<script", "<style", "<iframe", "src=", "url(", "@import", "javascript:"):
        assert needle not in page
    hrefs = re.findall(r'href="([^"]*)"', EMAILS[name](reader).html)
    assert {html.unescape(href) for href in hrefs} <= {LINK, SIGN_IN}


def test_words_of_the_person_are_escaped_in_the_html() -> None:
    # Today's emails hold no values but links; a message's words are escaped all the same.
    class Shouting(Reader):
        def t(self, message: str, **values: object) -> str:
            return "<b>" + message + "</b>"

    page = emails.email_changed(Shouting()).html
    assert "<b>" not in page and "&lt;b&gt;" in page


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def test_a_button_in_an_email_is_readable() -> None:
    """Its white words on the teal were 3.7:1 (a walk-through): at least 4.5:1 now (WCAG AA)."""
    style: dict[str, str] = {}
    for part in emails._BUTTON_STYLE.split(";"):
        name, _, value = part.partition(":")
        style[name] = value
    light, dark = sorted((_luminance(style["color"]), _luminance(style["background"])), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5, style
