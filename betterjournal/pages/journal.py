"""The client's journal: the list, the editor, and one entry with its share switches."""

from __future__ import annotations

import reflex as rx

from betterjournal import routes
from betterjournal.components.entries import (
    back_link,
    empty_state,
    entry_body,
    entry_card,
    loading,
    pager,
    unavailable_or_loading,
)
from betterjournal.components.forms import form
from betterjournal.components.inputs import radio_button, radio_row, show_more
from betterjournal.components.items import bring_to_a_session, edit_and_delete, share_controls
from betterjournal.components.layout import link_button, page_shell
from betterjournal.components.text import tr
from betterjournal.core.items import PAGE_SIZE
from betterjournal.core.journal import KIND, SEARCH_MAX, SHOW_ALL, SHOW_PRIVATE, SHOW_SHARED
from betterjournal.i18n import pN_
from betterjournal.pages.homework import to_do_on_home
from betterjournal.state.journal import EntryState, JournalState
from betterjournal.views import KIND_VIEWS


def _filter_choice(value: str, label: rx.Var[str]) -> rx.Component:
    return radio_button(
        label, JournalState.show == value, JournalState.show_only(value), unchecked="soft", size="2"
    )


def _search() -> rx.Component:
    """Search the client's own entries (on the server), and show all, shared or private."""
    return rx.vstack(
        form(
            rx.vstack(
                rx.el.label(tr("Search your entries"), html_for="query", font_weight="500"),
                rx.hstack(
                    rx.input(
                        id="query",
                        name="query",
                        type="search",
                        default_value=JournalState.query,
                        max_length=SEARCH_MAX,
                        auto_complete="off",
                        size="3",
                        # Room for a few words whatever the text size: with large text on a
                        # narrow phone the button goes under the field rather than crushing it.
                        flex="1 1 10rem",
                        min_width="min(100%, 10rem)",
                    ),
                    rx.button(
                        tr("Search"),
                        type="submit",
                        size="3",
                        variant="soft",
                        loading=JournalState.search_pending,
                    ),
                    wrap="wrap",
                    width="100%",
                ),
                spacing="1",
                width="100%",
            ),
            on_submit=[JournalState.begin_search, JournalState.search_journal],
            role="search",
        ),
        radio_row(
            # Short words, so the three fit one row on a phone (the group says "entries";
            # the context, for French: "Toutes", "Partagées", "Privées").
            _filter_choice(SHOW_ALL, tr(pN_("which entries are listed", "All"))),
            _filter_choice(SHOW_SHARED, tr(pN_("which entries are listed", "Shared"))),
            _filter_choice(SHOW_PRIVATE, tr(pN_("which entries are listed", "Private"))),
            spacing="2",
            wrap="wrap",
            aria_label=tr("Show entries"),
        ),
        spacing="2",
        width="100%",
    )


def journal_page() -> rx.Component:
    return page_shell(
        to_do_on_home(),
        link_button(
            rx.icon("pencil", aria_hidden="true"),
            tr("Write an entry"),
            href=routes.WRITE,
            size="3",
            width="100%",
        ),
        _search(),
        rx.cond(
            JournalState.drafts.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.heading(tr("Drafts"), as_="h2", size="4"),
                rx.foreach(JournalState.drafts, lambda d: entry_card(d, routes.WRITE + "?id=" + d.id)),
                show_more(JournalState.more_drafts, tr("Show more drafts"), JournalState.show_more_drafts),
                width="100%",
            ),
        ),
        rx.cond(
            JournalState.journal_loaded,
            rx.cond(
                JournalState.entries.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.heading(
                        rx.cond(JournalState.searching, tr("Entries found"), tr("Your entries")),
                        as_="h2",
                        size="4",
                    ),
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
                rx.cond(
                    JournalState.searching,
                    rx.vstack(
                        empty_state(
                            rx.cond(
                                JournalState.query != "",
                                tr("No entries match. Try other words, or show all entries."),
                                # A choice of shared or private entries, with no words to change.
                                tr("No entries of this kind. Show all entries to see the others."),
                            )
                        ),
                        rx.button(
                            tr("Show all entries"),
                            variant="soft",
                            size="3",
                            # The search box empties too: it is the journal as it opens.
                            on_click=[rx.set_value("query", ""), JournalState.load_journal],
                        ),
                        width="100%",
                    ),
                    rx.cond(
                        JournalState.drafts.length() > 0,  # type: ignore[attr-defined]
                        # Not "nothing here" under the drafts just listed (a walk-through).
                        empty_state(tr("No saved entries yet. Your drafts are above.")),
                        empty_state(tr("Nothing here yet. Your journal is private: write whatever helps.")),
                    ),
                ),
            ),
            loading(tr("Loading your journal")),
        ),
        # Said only where there are pages: under a list of two it told nothing (a walk-through).
        rx.cond(
            (JournalState.page > 0) | JournalState.has_more,
            rx.text(
                tr("{count} entries a page, newest first.", count=PAGE_SIZE), size="1", color_scheme="gray"
            ),
        ),
        heading=tr("Your journal"),
    )


def entry_page() -> rx.Component:
    return page_shell(
        back_link(tr("Back to your journal"), routes.JOURNAL),
        rx.cond(
            EntryState.found,
            rx.vstack(
                rx.text(EntryState.written, size="1", color_scheme="gray"),
                rx.cond(
                    EntryState.unsaved_changes,
                    rx.callout.root(
                        rx.callout.icon(rx.icon("pencil")),
                        rx.callout.text(
                            tr("You have unsaved changes to this entry."),
                            " ",
                            rx.link(tr("Continue editing"), href=routes.WRITE + "?id=" + EntryState.entry_id),
                        ),
                        width="100%",
                    ),
                ),
                entry_body(EntryState.body),
                rx.cond(
                    EntryState.comment_link != "",
                    rx.text(
                        EntryState.comment_line,
                        " ",
                        rx.link(tr("Read it with the homework"), href=EntryState.comment_link),
                        size="2",
                    ),
                ),
                rx.divider(),
                share_controls(EntryState.entry_id),
                bring_to_a_session(KIND.name, EntryState.entry_id),
                edit_and_delete(
                    EntryState.entry_id,
                    edit_href=routes.WRITE + "?id=" + EntryState.entry_id,
                    edit_label=tr("Edit entry"),
                    delete_label=tr("Delete entry"),
                    question=tr("Delete this entry?"),
                    explanation=tr(
                        pN_(
                            "entry",
                            "It will be removed for good, and anyone you shared it with "
                            "will no longer see it.",
                        )
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            unavailable_or_loading(
                EntryState.loaded,
                tr("This entry isn't available."),
                None,  # the way back is above
                tr("Opening the entry"),
            ),
        ),
        # The entry's own title, else the day it was written ("Today's entry, 2:05 p.m.").
        heading=rx.cond(
            EntryState.found,
            rx.cond(
                EntryState.title != "",
                EntryState.title,
                EntryState.untitled_heading,
            ),
            tr("Journal entry"),
        ),  # type: ignore[arg-type]
    )
