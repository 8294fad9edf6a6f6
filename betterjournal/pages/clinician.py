"""The clinician's pages: clients, one client's shared entries, one shared entry."""

from __future__ import annotations

import reflex as rx

from betterjournal import routes
from betterjournal.charts import SPARK_HEIGHT, SPARK_WIDTH
from betterjournal.components.entries import (
    back_link,
    card_link,
    empty_state,
    ended_connections,
    entry_body,
    loading,
    new_badge,
    pager,
    shared_entry_card,
    unavailable_or_loading,
)
from betterjournal.components.inputs import ask_first
from betterjournal.components.layout import link_button, page_shell, titled_section
from betterjournal.components.share import ShareSheet
from betterjournal.components.text import tr
from betterjournal.core.journal import KIND
from betterjournal.state.base import ONE_TAP_MS, AppState
from betterjournal.state.clinician import ClientsState, PendingLine, SharedWithMeState
from betterjournal.views import KIND_VIEWS, ClientLine, WaitingLine


def _sparkline(client: ClientLine) -> rx.Component:
    """Two weeks of shared mood as dots (a day without a shared check-in is a gap), said in
    words under it for everyone; with nothing shared, only the words (no empty box above
    them)."""
    return rx.vstack(
        rx.cond(
            client.spark != "",
            rx.el.svg(
                rx.el.path(
                    d=client.spark,
                    stroke="var(--teal-11)",
                    stroke_width="5",
                    stroke_linecap="round",
                    fill="none",
                ),
                view_box=f"0 0 {SPARK_WIDTH} {SPARK_HEIGHT}",
                width=str(SPARK_WIDTH),
                height=str(SPARK_HEIGHT),
                aria_hidden="true",  # the words under it say it (a screen reader heard them twice)
                border_bottom="1px solid var(--gray-6)",
            ),
        ),
        rx.text(client.spark_summary, size="1", color_scheme="gray"),
        spacing="1",
    )


def _client_row(person: ClientLine) -> rx.Component:
    return card_link(
        routes.CLIENT_ENTRIES + "?client=" + person.id,
        rx.text(person.name, weight="bold"),
        rx.text(person.since, size="1", color_scheme="gray"),
        # What needs the clinician, as the caseload counts it: the list she lands on said
        # nothing of it (a walk-through).
        rx.foreach(person.attention, lambda line: rx.text(line, size="2", weight="medium")),
        _sparkline(person),
    )


def _waiting(line: WaitingLine) -> rx.Component:
    return card_link(
        routes.RETURNED + "?assignment=" + line.assignment_id,
        rx.text(
            rx.cond(
                line.not_done,
                tr("{title}: {name} couldn't do it", title=line.title, name=line.client_name),
                tr("{title}, returned by {name}", title=line.title, name=line.client_name),
            ),
            weight="bold",
        ),
        rx.text(tr("Returned {moment}", moment=line.returned_on), size="1", color_scheme="gray"),
    )


_LARGER_FROM_A_TABLET = {
    "@media (min-width: 520px)": {
        "font_size": "calc(var(--font-size-5) * var(--code-font-size-adjust))",
        "line_height": "var(--line-height-5)",
        "letter_spacing": "calc(var(--letter-spacing-5) + var(--code-letter-spacing))",
    }
}


def _new_code() -> rx.Component:
    """The code just made, to hand over: copy it, or share it from the phone."""
    return rx.card(
        rx.vstack(
            rx.text(tr("Give this code to your client. It is shown only once."), size="2"),
            # Breaks only between its groups, and only where one line can't hold it.
            rx.code(
                ClientsState.new_code,
                # Larger from a tablet's width up, as Radix's size 5 (a style's media query, not a
                # responsive prop: the stylesheet keeps no responsive variants, stylesheet.py).
                size="3",
                style=_LARGER_FROM_A_TABLET,
                aria_label=tr("Invitation code"),
                white_space="normal",
                word_break="keep-all",
                overflow_wrap="normal",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("copy", aria_hidden="true"),
                    tr("Copy code"),
                    size="3",
                    variant="soft",
                    on_click=[rx.set_clipboard(ClientsState.new_code), ClientsState.copy_code],
                ),
                ShareSheet.create(
                    rx.button(
                        rx.icon("share-2", aria_hidden="true"), tr("Share code"), size="3", variant="soft"
                    ),
                    text=ClientsState.new_code_message,
                    title=tr("Betterjournal invitation code"),
                ),
                spacing="3",
                wrap="wrap",
            ),
            rx.text(
                rx.cond(
                    ClientsState.code_copied, tr("Code copied. Paste it in a message to your client."), ""
                ),
                size="2",
                role="status",
            ),
            spacing="3",
        ),
        width="100%",
    )


def _pending_code(line: PendingLine) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.cond(line.ending != "", rx.text(line.ending, size="3", weight="medium")),
                rx.text(line.made, size="2"),
                rx.text(line.expires, size="2", color_scheme="gray"),
                rx.cond(
                    line.id == ClientsState.new_code_id,
                    rx.text(tr("The code shown above."), size="1", color_scheme="gray"),
                ),
                rx.cond(
                    line.registered,
                    rx.text(tr("A new client registered with it and hasn't accepted yet."), size="1"),
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.button(
                tr("Cancel code"),
                variant="soft",
                color_scheme="gray",
                size="3",
                aria_label=line.cancel_label,
                on_click=ClientsState.cancel_invitation(line.id),
            ),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        width="100%",
    )


def clients_page() -> rx.Component:
    return page_shell(
        rx.cond(
            ClientsState.waiting.length() > 0,  # type: ignore[attr-defined]
            titled_section(tr("Returned, not reviewed yet"), rx.foreach(ClientsState.waiting, _waiting)),
        ),
        rx.hstack(
            rx.link(tr("Caseload: who is next, and what needs attention"), href=routes.CASELOAD),
            rx.link(tr("Your worksheets"), href=routes.WORKSHEETS),
            spacing="4",
            wrap="wrap",
        ),
        rx.cond(
            ClientsState.clients.length() > 0,  # type: ignore[attr-defined]
            rx.foreach(ClientsState.clients, _client_row),
            rx.cond(
                ClientsState.clients_loaded,
                rx.cond(
                    ClientsState.ended.length() > 0,  # type: ignore[attr-defined]
                    empty_state(tr("No client is connected with you now.")),
                    empty_state(tr("No clients yet. Create an invitation code and give it to your client.")),
                ),
                loading(tr("Loading your clients")),
            ),
        ),
        ended_connections(ClientsState.ended),
        rx.el.div(ClientsState.news, role="status", class_name="bj-heard"),
        # Said ahead (a walk-through: a client who deleted their account vanished, and the
        # clinician could take it for a fault). Nothing of theirs, not even a name, is kept.
        rx.text(
            tr(
                "A client who deletes their account leaves this list at once, with everything "
                "they shared: nothing of theirs is kept."
            ),
            size="1",
            color_scheme="gray",
        ),
        rx.heading(tr("Invite a client"), as_="h2", size="4"),
        rx.text(
            tr(
                "Clients see only your name. A code works once and expires in 7 days. "
                "Connecting shares nothing: your client chooses each entry to share."
            ),
            size="2",
        ),
        # Enabled once the page has loaded: loading clears any code shown before.
        rx.button(
            tr("Create invitation code"),
            size="3",
            on_click=ClientsState.create_invitation.throttle(ONE_TAP_MS),
            disabled=rx.cond(ClientsState.clients_loaded, False, True),
        ),
        rx.cond(ClientsState.new_code != "", _new_code()),
        rx.cond(
            ClientsState.pending.length() > 0,  # type: ignore[attr-defined]
            rx.el.section(
                rx.vstack(
                    rx.heading(tr("Codes not used yet"), as_="h3", size="3", id="pending-codes"),
                    rx.foreach(ClientsState.pending, _pending_code),
                    spacing="2",
                    width="100%",
                ),
                aria_labelledby="pending-codes",
                width="100%",
            ),
        ),
        heading=tr("Clients"),
    )


def _end_link() -> rx.Component:
    """When the work together has ended: the client leaves the list, and everything they
    shared is private again (the client can connect again with a new code)."""
    name = SharedWithMeState.client_name
    return rx.vstack(
        rx.heading(tr("Connection"), as_="h3", size="3"),
        ask_first(
            tr("End the connection"),
            dialog_id="end-connection",
            question=tr("End the connection with {name}?", name=name),
            explanation=tr(
                "Everything they shared with you becomes private again, right away. "
                "To connect again, they would need a new invitation code."
            ),
            keep=tr("Stay connected"),
            go_ahead=rx.button(
                tr("End the connection"),
                type="button",
                on_click=ClientsState.end_link(SharedWithMeState.client_id),
            ),
            variant="soft",
            color_scheme="gray",
        ),
        margin_top="2rem",
        spacing="2",
        width="100%",
    )


def client_entries_page() -> rx.Component:
    return page_shell(
        rx.cond(
            SharedWithMeState.list_available,
            rx.vstack(
                back_link(tr("Back to clients"), routes.CLIENTS),
                rx.heading(
                    tr("Entries shared by {name}", name=SharedWithMeState.client_name), as_="h2", size="4"
                ),
                rx.hstack(
                    link_button(
                        rx.icon("chart-line", aria_hidden="true"),
                        tr("Mood check-ins"),
                        href=routes.CLIENT_CHECK_INS + "?client=" + SharedWithMeState.client_id,
                        variant="soft",
                    ),
                    link_button(
                        rx.icon("clipboard-list", aria_hidden="true"),
                        tr("Homework"),
                        href=routes.CLIENT_HOMEWORK + "?client=" + SharedWithMeState.client_id,
                        variant="soft",
                    ),
                    link_button(
                        rx.icon("calendar-check", aria_hidden="true"),
                        tr("Session brief"),
                        href=routes.BRIEF + "?client=" + SharedWithMeState.client_id,
                        variant="soft",
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.cond(
                    SharedWithMeState.entries.length() > 0,  # type: ignore[attr-defined]
                    rx.foreach(
                        SharedWithMeState.entries,
                        lambda e: shared_entry_card(e, routes.SHARED_ENTRY + "?id=" + e.id),
                    ),
                    # Not while "Something new was shared… Show it" is up (walk-through).
                    rx.cond(
                        AppState.shared_waiting_on == "",
                        empty_state(
                            tr("Nothing is shared with you right now. Your client chooses what to share.")
                        ),
                    ),
                ),
                pager(
                    KIND_VIEWS[KIND.name].words,
                    SharedWithMeState.page > 0,
                    SharedWithMeState.has_more,
                    SharedWithMeState.newer_entries,
                    SharedWithMeState.older_entries,
                ),
                _end_link(),
                width="100%",
            ),
            unavailable_or_loading(
                SharedWithMeState.loaded,
                tr("This client isn't available."),
                rx.link(tr("Back to clients"), href=routes.CLIENTS),
                tr("Loading"),
            ),
        ),
        # Whose: the page's title says it (a screen reader lands on it; a walk-through heard
        # "Shared entries" for every client).
        heading=rx.cond(
            SharedWithMeState.client_name != "",
            tr("Shared entries: {name}", name=SharedWithMeState.client_name),
            tr("Shared entries"),
        ),  # type: ignore[arg-type]
    )


def shared_entry_page() -> rx.Component:
    reading = SharedWithMeState.reading
    return page_shell(
        rx.cond(
            SharedWithMeState.reading_available,
            rx.vstack(
                back_link(
                    tr("Back to {name}", name=reading.owner_name),
                    routes.CLIENT_ENTRIES + "?client=" + reading.owner_id,
                ),
                rx.hstack(
                    rx.text(tr("Shared by {name}", name=reading.owner_name), weight="bold"),
                    rx.cond(reading.new, new_badge()),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(reading.dates, size="1", color_scheme="gray"),
                entry_body(reading.body),
                spacing="3",
                width="100%",
            ),
            unavailable_or_loading(
                SharedWithMeState.loaded,
                tr("This entry isn't available. It may have been made private or removed."),
                rx.link(tr("Back to clients"), href=routes.CLIENTS),
                tr("Opening the entry"),
            ),
        ),
        # The entry's title, else the day it was written, as its owner calls it ("Yesterday's
        # entry"); whose it is is said right under it.
        heading=rx.cond(SharedWithMeState.reading_available, reading.title, tr("Shared entry")),  # type: ignore[arg-type]
    )
