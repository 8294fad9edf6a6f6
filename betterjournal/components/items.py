"""The owner's controls for any item: one share switch per clinician, and delete."""

from __future__ import annotations

from typing import Any

import reflex as rx

from betterjournal import routes
from betterjournal.components.entries import share_status_line
from betterjournal.components.inputs import ask_first, removing_button
from betterjournal.components.layout import WhenOffline, link_button
from betterjournal.components.text import Text, tr
from betterjournal.state.items import ItemSharingState
from betterjournal.state.preparation import PrepareState
from betterjournal.views import ShareLine


def _share_switch(item_id: rx.Var[str] | str, share: ShareLine) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.el.label(
                rx.hstack(
                    rx.switch(
                        checked=share.shared,
                        on_change=lambda on: ItemSharingState.set_shared(item_id, share.clinician_id, on),
                        size="3",
                        aria_label=share.switch,
                    ),
                    # Beside the switch while its words fit there; under it in large text,
                    # rather than cut mid-word ("Had/dad") in what is left beside it. The
                    # switch says them: a screen reader heard them twice (walk-through).
                    rx.text(share.switch, flex="1 1 10rem", overflow_wrap="break-word", aria_hidden="true"),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
            ),
            # Where the item stands, said where the tap was and announced as it changes (a
            # separate "Shared with …" under it said the same twice: walk-through).
            share_status_line(share, role="status"),
            # Offline, a tap waits for the connection and the line above stays true until then
            # (a walk-through read "Shared with …" under a switch just turned off, and nothing else).
            WhenOffline.create(
                rx.text(
                    tr(
                        "Offline: a change here is made when the connection is back. "
                        "Until then, the line above holds."
                    ),
                    size="2",
                )
            ),
            spacing="2",
        ),
        width="100%",
    )


def share_controls(item_id: rx.Var[str] | str) -> rx.Component:
    """Who can see this item: a switch per linked clinician, or how to connect first."""
    return rx.vstack(
        rx.heading(tr("Who can see this"), as_="h2", size="4"),
        rx.cond(
            ItemSharingState.shares.length() > 0,  # type: ignore[attr-defined]
            rx.foreach(ItemSharingState.shares, lambda share: _share_switch(item_id, share)),
            rx.text(
                tr("Only you. Connect with your clinician under Care team to be able to share."), size="2"
            ),
        ),
        spacing="3",
        width="100%",
    )


def _pin_or_pinned(kind: rx.Var[str] | str, item_id: rx.Var[str] | str, share: ShareLine) -> rx.Component:
    """Pin to the next agenda with this clinician; once pinned, says so, with the way there."""
    return rx.cond(
        ItemSharingState.pinned_with.contains(share.clinician_id),  # type: ignore[attr-defined]
        rx.hstack(
            rx.icon("circle-check", aria_hidden="true", flex_shrink="0"),
            rx.text(tr("Pinned to your agenda with {name}.", name=share.clinician_name), size="2"),
            rx.link(
                tr("See the agenda"),
                href=routes.PREPARE + "?with=" + share.clinician_id,
                size="2",
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        rx.button(
            rx.icon("pin", aria_hidden="true"),
            tr("Pin to my agenda with {name}", name=share.clinician_name),
            on_click=PrepareState.pin_for_next_session(kind, item_id, share.clinician_id),
            variant="soft",
            size="3",
        ),
    )


def bring_to_a_session(kind: rx.Var[str] | str, item_id: rx.Var[str] | str) -> rx.Component:
    """On an item's own page: a way to pin it, whenever it was written, to the agenda for
    the next session with each linked clinician."""
    return rx.cond(
        ItemSharingState.shares.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.heading(tr("Bring it to a session"), as_="h2", size="4"),
            rx.foreach(ItemSharingState.shares, lambda share: _pin_or_pinned(kind, item_id, share)),
            rx.text(
                tr("Pinning shares nothing: they see it only if you share it."), size="1", color_scheme="gray"
            ),
            spacing="2",
            width="100%",
        ),
    )


def who_sees_edits(shared_line: Any, is_new: Any, new: Text, private: Text) -> rx.Component:
    """Under an item's form: who will see what is typed there, as it is now (`shared_line`
    when it is shared; else `new` for a new item, `private` for a private one)."""
    return rx.text(
        rx.cond(shared_line != "", shared_line, rx.cond(is_new, new, private)),
        size="1",
        color_scheme="gray",
    )


def delete_button(
    item_id: rx.Var[str] | str, *, label: Text, question: Text, explanation: Text
) -> rx.Component:
    """Delete, after a question; `explanation` says what happens to shares (its kind's own
    words: French agrees them with the kind, "entrée" or "bilan")."""
    return ask_first(
        label,
        dialog_id="delete-item",
        question=question,
        explanation=explanation,
        keep=tr("Keep it"),
        go_ahead=removing_button(tr("Delete"), on_click=ItemSharingState.delete_item(item_id)),
        variant="soft",
        color_scheme="gray",
    )


def edit_and_delete(
    item_id: rx.Var[str] | str,
    *,
    edit_href: rx.Var[str] | str,
    edit_label: Text,
    delete_label: Text,
    question: Text,
    explanation: Text,
) -> rx.Component:
    """An item's Edit and Delete, side by side; one under the other in large text."""
    return rx.hstack(
        link_button(edit_label, href=edit_href, variant="soft"),
        delete_button(item_id, label=delete_label, question=question, explanation=explanation),
        spacing="3",
        wrap="wrap",
    )
