"""Where a person goes once signed in: only one of our signed-in pages, never elsewhere."""

from __future__ import annotations

import pytest

from betterjournal import routes


@pytest.mark.parametrize(
    "page",
    [
        "/care-team",
        "/journal/entry?id=0b6d2c1e-5f7a-4c3b-9d1e-2f3a4b5c6d7e",
        "/clients/brief?client=abc-1",
        "/settings/",
    ],
)
def test_our_signed_in_pages_are_kept(page: str) -> None:
    assert routes.after_sign_in(page) == page


@pytest.mark.parametrize(
    "page",
    [
        "//evil.example/journal",
        "https://evil.example/journal",
        "/\\evil.example",
        "/journal/../admin/x",
        "/signin",
        "/",
        "/journal?next=https://evil.example",
        "/journal?x=<script>",
        "/journal#frag",
        "/journal?" + "a" * 300,
        "",
        None,
        ["/journal"],
    ],
)
def test_anything_else_is_dropped(page: object) -> None:
    assert routes.after_sign_in(page) == ""


def test_the_sign_in_steps_carry_the_page_on() -> None:
    assert routes.with_next(routes.SIGN_IN_CODE, "/care-team") == "/signin/code?next=%2Fcare-team"
    assert routes.with_next(routes.SIGN_IN, "//evil.example") == "/signin"
