"""Clinic sign-in (OpenID Connect), offered on the sign-in page when a deployment has it."""

from __future__ import annotations

import reflex as rx

from betterjournal.components.text import tr
from betterjournal.oidc import START
from betterjournal.state.base import AppState


def clinic_sign_in() -> rx.Component:
    """A link styled as a button, shown only when this deployment has a clinic provider.

    A document navigation (`reload_document`): Reflex's links otherwise route inside the
    single-page app, and this address is a server route (a GET that sends the browser on to
    the clinic's provider).
    """
    return rx.cond(
        AppState.clinic_sign_in,
        rx.button(
            rx.el.a(tr("Sign in with your clinic account"), href=START, reload_document=True),
            as_child=True,
            variant="outline",
            size="3",
            width="100%",
        ),
    )
