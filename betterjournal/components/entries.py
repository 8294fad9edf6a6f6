"""Pieces for showing entries: cards in a list, the share switches, empty states."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

from betterjournal.components.text import Text, tr
from betterjournal.state.base import AppState
from betterjournal.views import ItemCard, KindWords, SharedView, ShareLine


def card_link(href: str | rx.Var[str], *lines: rx.Component, **props: Any) -> rx.Component:
    """A whole card that opens `href`: one tap target, read as one link. A list draws 50 of
    them, so it is a plain link styled by class (`.bj-card-link` in assets/app.css): a Radix
    link with styles of its own cost the phone eight more components to draw, 50 times over."""
    return ReactRouterLink.create(
        rx.card(rx.vstack(*lines, spacing="1")), to=href, class_name="bj-card-link", **props
    )


def title_and_badge(title: rx.Var[str] | str, badge: rx.Component, **title_props: Any) -> rx.Component:
    """A card's first line: its title in bold, and at the line's end a badge (its state,
    "New"), under the title when the two don't fit."""
    return rx.flex(
        rx.text(title, weight="bold", **title_props), badge, justify="between", align="start", spacing="3"
    )


def entry_card(entry: ItemCard, href: str) -> rx.Component:
    return card_link(
        href,
        title_and_badge(entry.title, rx.badge(entry.label, color_scheme="gray", variant="soft")),
        rx.text(entry.preview, size="2", color_scheme="gray"),
        rx.text(entry.written_on, size="1", color_scheme="gray"),
    )


def new_badge() -> rx.Component:
    """'New': shared since the clinician last looked (a word, not a colour alone)."""
    return rx.badge(tr("New"), color_scheme="teal", variant="surface")


def shared_entry_card(entry: SharedView, href: str) -> rx.Component:
    return card_link(
        href,
        title_and_badge(entry.title, rx.cond(entry.new, new_badge())),
        rx.text(entry.body, size="2", color_scheme="gray"),
        rx.text(entry.shared_on, size="1", color_scheme="gray"),
    )


def share_status_line(share: ShareLine, **props: Any) -> rx.Component:
    """'Shared with Dr. X on …. Seen on ….' — what the client's clinician can see, and when."""
    return rx.text(share.status, size="2", **props)


def pager(
    words: KindWords,
    has_newer: bool | rx.Var[bool],
    has_older: bool | rx.Var[bool],
    newer: Any,
    older: Any,
) -> rx.Component:
    """ "Newer …" / "Older …" under a newest-first list of one kind, in that kind's words."""
    return rx.hstack(
        rx.cond(has_newer, rx.button(tr(words.newer), variant="soft", on_click=newer)),
        rx.spacer(),
        rx.cond(has_older, rx.button(tr(words.older), variant="soft", on_click=older)),
        width="100%",
    )


def empty_state(message: Text, action: rx.Component | None = None) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(message), *([action] if action is not None else []), spacing="3"),
        width="100%",
    )


def ended_connections(lines: Any) -> rx.Component:
    """Connections that ended lately, said on both sides once the moment's notice is gone
    (a walk-through: the other side simply found them gone)."""
    return rx.cond(
        lines.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.heading(tr("Connections ended lately"), as_="h2", size="4"),
            rx.el.ul(
                rx.foreach(lines, lambda line: rx.el.li(rx.text(line, size="2"))),
                padding_left="1.25em",
                margin="0",
            ),
            spacing="2",
            width="100%",
        ),
    )


def entry_body(text: str | rx.Var[str]) -> rx.Component:
    """User text, as escaped text: line breaks kept, never interpreted as HTML (INPUT-3)."""
    # The width of its place: words written right to left start at its right (app.css).
    return rx.text(text, white_space="pre-wrap", overflow_wrap="anywhere", size="3", width="100%")


def loading(label: Text) -> rx.Component:
    """A spinner announced to screen readers while a page loads its data; none once the
    load has failed (the page's notice says why and what to do), so it never spins on."""
    return rx.cond(
        AppState.problem == "",
        rx.center(rx.spinner(), role="status", aria_label=label, width="100%"),
    )


def unavailable_or_loading(
    loaded: bool | rx.Var[bool], message: Text, back: rx.Component | None, label: Text
) -> rx.Component:
    """What a page shows when its item did not load: why, and the way back (None when the
    page has its own above); or a spinner. When the server refused the item, the page's
    notice already says why, in the same words whatever the reason (AUTHZ-3): only the way
    back is left here."""
    refused = AppState.problem != ""
    return rx.cond(
        loaded,
        rx.cond(refused, back if back is not None else rx.fragment(), empty_state(message, back)),
        loading(label),
    )


def back_link(label: Text, href: str | rx.Var[str]) -> rx.Component:
    """The way back from a detail page to the list it belongs to ("← Back to your journal")."""
    return rx.link(
        rx.icon("arrow-left", size=18, aria_hidden="true"),
        label,
        href=href,
        display="inline-flex",
        align_items="center",
        gap="0.4em",
        min_height="44px",
    )
