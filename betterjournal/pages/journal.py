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
    unavailable_or_loading,
)
from betterjournal.components.items import delete_button, share_controls
from betterjournal.components.layout import page_shell
from betterjournal.components.text import tr
from betterjournal.core.items import PAGE_SIZE
from betterjournal.core.journal import KIND
from betterjournal.pages.homework import to_do_on_home
from betterjournal.state.journal import EntryState, JournalState
from betterjournal.views import KIND_VIEWS


def journal_page() -> rx.Component:
    return page_shell(
        to_do_on_home(),
        rx.link(
            rx.button(rx.icon("pencil", aria_hidden="true"), tr("Write an entry"), size="3", width="100%"),
            href=routes.WRITE,
            width="100%",
        ),
        rx.cond(
            JournalState.drafts.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.heading(tr("Unsaved drafts"), as_="h2", size="4"),
                rx.foreach(JournalState.drafts, lambda d: entry_card(d, routes.WRITE + "?id=" + d.id)),
                width="100%",
            ),
        ),
        rx.cond(
            JournalState.journal_loaded,
            rx.cond(
                JournalState.entries.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.heading(tr("Your entries"), as_="h2", size="4"),
                    rx.foreach(JournalState.entries, lambda e: entry_card(e, routes.ENTRY + "?id=" + e.id)),
                    pager(
                        KIND_VIEWS[KIND.name].words,
                        JournalState.page > 0,
                        JournalState.has_more,
                        JournalState.newer_entries,
                        JournalState.older_entries,
                    ),
                    width="100%",
                ),
                empty_state(tr("Nothing here yet. Your journal is private: write whatever helps.")),
            ),
            loading(tr("Loading your journal")),
        ),
        rx.text(tr("{count} entries a page, newest first.", count=PAGE_SIZE), size="1", color_scheme="gray"),
        heading=tr("Your journal"),
    )


def entry_page() -> rx.Component:
    return page_shell(
        rx.cond(
            EntryState.found,
            rx.vstack(
                rx.heading(
                    rx.cond(EntryState.title != "", EntryState.title, tr("Untitled entry")),
                    as_="h2",
                    size="5",
                ),
                rx.text(EntryState.written, size="1", color_scheme="gray"),
                entry_body(EntryState.body),
                rx.divider(),
                share_controls(EntryState.entry_id),
                rx.hstack(
                    rx.link(
                        rx.button(tr("Edit"), variant="soft"),
                        href=routes.WRITE + "?id=" + EntryState.entry_id,
                    ),
                    delete_button(
                        EntryState.entry_id, label=tr("Delete entry"), question=tr("Delete this entry?")
                    ),
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            unavailable_or_loading(
                EntryState.loaded,
                tr("This entry isn't available."),
                rx.link(tr("Back to your journal"), href=routes.JOURNAL),
                tr("Opening the entry"),
            ),
        ),
        heading=tr("Entry"),
    )
