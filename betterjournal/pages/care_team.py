"""The client's care team: accept an invitation, see who they're connected with, end a link."""

from __future__ import annotations

import reflex as rx

from betterjournal.components.entries import empty_state, ended_connections, loading
from betterjournal.components.forms import form
from betterjournal.components.inputs import ask_first
from betterjournal.components.layout import labelled_field, page_shell
from betterjournal.components.text import tr
from betterjournal.state.care_team import CareTeamState
from betterjournal.views import PersonLine


def _invitation_offer() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("Invitation from {name}", name=CareTeamState.invitation_from), as_="h2", size="4"),
            rx.text(
                tr(
                    "Connecting lets you choose entries to share with them. "
                    "Connecting shares nothing by itself."
                )
            ),
            rx.hstack(
                rx.button(tr("Accept"), size="3", on_click=CareTeamState.accept_invitation),
                rx.button(
                    tr("Decline"),
                    size="3",
                    variant="soft",
                    color_scheme="gray",
                    on_click=CareTeamState.decline_invitation,
                ),
                spacing="3",
            ),
            spacing="3",
        ),
        width="100%",
    )


def _code_form() -> rx.Component:
    return form(
        rx.vstack(
            labelled_field(
                tr("Invitation code"),
                rx.input(id="invitation-code", name="code", auto_complete="off", size="3", width="100%"),
                hint=tr("Your clinician gives you this code."),
            ),
            rx.button(tr("Check code"), type="submit", size="3"),
            spacing="3",
            width="100%",
        ),
        on_submit=CareTeamState.check_code,
        reset_on_submit=False,  # a mistyped code stays, to be corrected; a good one goes
        key=CareTeamState.code_round,  # (the form drawn afresh)
    )


def _end_link(person: PersonLine) -> rx.Component:
    return ask_first(
        tr("Disconnect"),
        dialog_id="disconnect-" + person.id,
        question=tr("Disconnect from {name}?", name=person.name),
        explanation=tr("Everything you shared with them becomes private again, right away."),
        keep=tr("Stay connected"),
        go_ahead=rx.button(tr("Disconnect"), type="button", on_click=CareTeamState.end_link(person.id)),
        variant="soft",
        color_scheme="gray",
    )


def _stop_sharing(person: PersonLine) -> rx.Component:
    return ask_first(
        tr("Stop sharing everything"),
        dialog_id="stop-sharing-" + person.id,
        question=tr("Stop sharing everything with {name}?", name=person.name),
        explanation=tr(
            "Every entry, check-in, homework and agenda you shared with them becomes private "
            "again, right away. You stay connected, and can share again whenever you choose."
        ),
        keep=tr("Keep sharing"),
        go_ahead=rx.button(
            tr("Stop sharing everything"),
            type="button",
            on_click=CareTeamState.stop_sharing_everything(person.id),
        ),
        variant="soft",
        color_scheme="gray",
    )


def _clinician_row(person: PersonLine) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(person.name, weight="bold"),
                rx.text(person.since, size="1", color_scheme="gray"),
                spacing="1",
                class_name="whole-words",
            ),
            rx.spacer(),
            rx.hstack(_stop_sharing(person), _end_link(person), spacing="2", wrap="wrap"),
            align="center",
            wrap="wrap",  # in large text, "Disconnect" goes under the name rather than squeeze it
            width="100%",
        ),
        width="100%",
    )


def care_team_page() -> rx.Component:
    return page_shell(
        rx.cond(CareTeamState.invitation_from != "", _invitation_offer()),
        rx.heading(tr("Connected clinicians"), as_="h2", size="4"),
        rx.cond(
            CareTeamState.clinicians.length() > 0,  # type: ignore[attr-defined]
            rx.foreach(CareTeamState.clinicians, _clinician_row),
            rx.cond(
                CareTeamState.care_team_loaded,
                rx.cond(
                    CareTeamState.ended.length() > 0,  # type: ignore[attr-defined]
                    empty_state(tr("You're not connected with a clinician now.")),
                    empty_state(tr("You're not connected with a clinician yet.")),
                ),
                loading(tr("Loading your care team")),
            ),
        ),
        ended_connections(CareTeamState.ended),
        rx.heading(tr("Add a clinician"), as_="h2", size="4"),
        _code_form(),
        heading=tr("Care team"),
    )
