"""The client's journal: the list, the editor, and one entry with its share switches."""

from __future__ import annotations

import reflex as rx

from betterjournal import routes
from betterjournal.components.entries import (
    empty_state,
    entry_body,
    entry_card,
    loading,
    pager,
    share_status_line,
    unavailable_or_loading,
)
from betterjournal.components.layout import page_shell
from betterjournal.core.journal import PAGE_SIZE
from betterjournal.i18n import t
from betterjournal.models import ShareStatus
from betterjournal.state.journal import EntryState, JournalState


def journal_page() -> rx.Component:
    return page_shell(
        rx.link(
            rx.button(rx.icon("pencil", aria_hidden="true"), t("Write an entry"), size="3", width="100%"),
            href=routes.WRITE,
            width="100%",
        ),
        rx.cond(
            JournalState.drafts.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.heading(t("Unsaved drafts"), as_="h2", size="4"),
                rx.foreach(JournalState.drafts, lambda d: entry_card(d, routes.WRITE + "?id=" + d.id)),
                width="100%",
            ),
        ),
        rx.cond(
            JournalState.journal_loaded,
            rx.cond(
                JournalState.entries.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.heading(t("Your entries"), as_="h2", size="4"),
                    rx.foreach(JournalState.entries, lambda e: entry_card(e, routes.ENTRY + "?id=" + e.id)),
                    pager(
                        JournalState.page > 0,
                        JournalState.has_more,
                        JournalState.newer_entries,
                        JournalState.older_entries,
                    ),
                    width="100%",
                ),
                empty_state(t("Nothing here yet. Your journal is private: write whatever helps.")),
            ),
            loading(t("Loading your journal")),
        ),
        rx.text(t("{count} entries a page, newest first.", count=PAGE_SIZE), size="1", color_scheme="gray"),
        heading=t("Your journal"),
    )


def _share_control(share: ShareStatus) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.el.label(
                    rx.hstack(
                        rx.switch(
                            checked=share.shared,
                            on_change=lambda on: EntryState.set_shared(share.clinician_id, on),
                            size="3",
                        ),
                        rx.text(
                            rx.cond(share.shared, t("Shared with "), t("Share with ")), share.clinician_name
                        ),
                        align="center",
                        spacing="3",
                    ),
                ),
                width="100%",
            ),
            share_status_line(share),
            spacing="2",
        ),
        width="100%",
    )


def _delete_button() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(t("Delete entry"), variant="soft", color_scheme="gray")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Delete this entry?")),
            rx.alert_dialog.description(
                t("It will be removed for good, and anyone you shared it with will no longer see it.")
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("Keep it"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(t("Delete"), on_click=EntryState.delete_entry)),
                spacing="3",
                justify="end",
                margin_top="1em",
            ),
        ),
    )


def entry_page() -> rx.Component:
    return page_shell(
        rx.cond(
            EntryState.found,
            rx.vstack(
                rx.heading(
                    rx.cond(EntryState.title != "", EntryState.title, t("Untitled entry")), as_="h2", size="5"
                ),
                rx.text(
                    t("Written "),
                    EntryState.written_on,
                    rx.cond(EntryState.edited_on != "", rx.fragment(t(", edited "), EntryState.edited_on)),
                    size="1",
                    color_scheme="gray",
                ),
                entry_body(EntryState.body),
                rx.divider(),
                rx.heading(t("Who can see this"), as_="h2", size="4"),
                rx.cond(
                    EntryState.shares.length() > 0,  # type: ignore[attr-defined]
                    rx.foreach(EntryState.shares, _share_control),
                    rx.text(
                        t("Only you. Connect with your clinician under Care team to be able to share."),
                        size="2",
                    ),
                ),
                rx.hstack(
                    rx.link(
                        rx.button(t("Edit"), variant="soft"), href=routes.WRITE + "?id=" + EntryState.entry_id
                    ),
                    _delete_button(),
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            unavailable_or_loading(
                EntryState.loaded,
                t("This entry isn't available."),
                rx.link(t("Back to your journal"), href=routes.JOURNAL),
                t("Opening the entry"),
            ),
        ),
        heading=t("Entry"),
    )
