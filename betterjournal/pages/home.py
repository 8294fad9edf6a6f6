"""The admin's page: the early-access waiting list."""

from __future__ import annotations

import reflex as rx

from betterjournal.components.inputs import ask_first, radio_button, radio_row
from betterjournal.components.layout import page_shell
from betterjournal.components.text import tr
from betterjournal.i18n import pN_
from betterjournal.state.admin import AdminState
from betterjournal.state.base import ONE_TAP_MS


def _filter(label, value: str, current, on_click) -> rx.Component:
    return radio_button(label, current == value, on_click, unchecked="soft", size="2")


def _detail(label, value) -> rx.Component:
    # "Profession: …"; French sets the colon apart ("Profession : …").
    return rx.cond(value != "", rx.text(rx.text.strong(tr("{label}:", label=label)), " ", value, size="2"))


def _request_card(request) -> rx.Component:
    """One request. Its decisions drop a tap within a second of the last (ONE_TAP_MS, one
    key for every card's button of the kind): a decided request leaves the waiting list at
    once, and a double tap's second tap would land on the next request's button."""
    pending = request.status == "pending"
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(
                    request.name, as_="h2", size="3", flex="1", min_width="0", word_break="break-word"
                ),
                rx.badge(request.role_label),
                rx.badge(request.status_label, color_scheme="gray"),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.text(request.email, size="2", word_break="break-all"),
            rx.text(tr("Asked {moment}", moment=request.asked_on), size="2", color_scheme="gray"),
            _detail(tr("Profession"), request.profession),
            _detail(tr("Province or territory"), request.province),
            _detail(tr("Regulatory college"), request.college),
            _detail(tr("Registration number"), request.registration_number),
            rx.cond(request.checked != "", rx.text(request.checked, size="2", color_scheme="teal")),
            rx.cond(
                pending,
                rx.hstack(
                    rx.cond(
                        (request.role == "clinician") & (request.checked == ""),
                        rx.button(
                            tr("I checked the public register"),
                            size="3",
                            variant="soft",
                            on_click=AdminState.record_register_check(request.id).throttle(ONE_TAP_MS),
                        ),
                    ),
                    rx.cond(
                        request.can_approve,
                        rx.button(
                            tr("Approve"),
                            size="3",
                            on_click=AdminState.approve(request.id).throttle(ONE_TAP_MS),
                        ),
                    ),
                    # Asked first: a declined request can't be approved afterwards.
                    ask_first(
                        tr("Decline"),
                        dialog_id="decline-" + request.id,
                        question=tr("Decline the request from {name}?", name=request.name),
                        explanation=tr(
                            "Nothing is sent to them. The request moves to Declined, and it can't be "
                            "approved afterwards."
                        ),
                        keep=tr("Keep it waiting"),
                        go_ahead=rx.button(
                            tr("Decline"),
                            type="button",
                            on_click=AdminState.decline(request.id).throttle(ONE_TAP_MS),
                        ),
                        size="3",
                        variant="soft",
                        color_scheme="gray",
                    ),
                    wrap="wrap",
                    spacing="2",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def admin_page() -> rx.Component:
    statuses = (
        ("pending", tr("Waiting")),
        # The lists (French: "Approuvées"), not one request's status ("Approuvée").
        ("approved", tr(pN_("which requests are listed", "Approved"))),
        ("declined", tr(pN_("which requests are listed", "Declined"))),
        ("all", tr("All")),
    )
    roles = (("all", tr("Everyone")), ("client", tr("Clients")), ("clinician", tr("Clinicians")))
    return page_shell(
        rx.text(
            tr(
                # (Not the heading again: it says what these are.)
                "Before approving a clinician, look up their registration number in their "
                "college's public register. Administrators read no journal content."
            ),
            size="2",
        ),
        radio_row(
            *[
                _filter(
                    label,
                    value,
                    AdminState.status_filter,
                    AdminState.filter_requests(value, AdminState.role_filter),
                )
                for value, label in statuses
            ],
            wrap="wrap",
            spacing="2",
            aria_label=tr("Show requests"),
        ),
        radio_row(
            *[
                _filter(
                    label,
                    value,
                    AdminState.role_filter,
                    AdminState.filter_requests(AdminState.status_filter, value),
                )
                for value, label in roles
            ],
            wrap="wrap",
            spacing="2",
            aria_label=tr("From"),
        ),
        rx.cond(
            AdminState.requests_loaded,
            rx.cond(
                AdminState.requests.length() > 0,  # type: ignore[attr-defined]
                rx.el.ul(
                    rx.foreach(AdminState.requests, lambda request: rx.el.li(_request_card(request))),
                    aria_label=tr("Requests"),
                    list_style="none",
                    padding="0",
                    margin="0",
                    width="100%",
                    display="flex",
                    flex_direction="column",
                    gap="0.75em",
                ),
                rx.text(tr("No requests here."), color_scheme="gray"),
            ),
            rx.center(rx.spinner(), role="status", aria_label=tr("Loading"), width="100%"),
        ),
        heading=tr("Early access requests"),
    )
