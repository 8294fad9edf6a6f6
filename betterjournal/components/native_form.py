"""A plain HTML form the browser submits itself.

Reflex's form always intercepts submit (preventDefault) to send the data over the
websocket. Sign-in, registration and sign-out must instead POST to our HTTP routes,
which set or clear the HttpOnly session cookie (AUTHN-4).
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.el.elements.forms import Form


class NativeForm(Form):
    @classmethod
    def create(cls, *children, **props) -> rx.Component:
        form = super().create(*children, **props)
        form.event_triggers = {
            trigger: chain for trigger, chain in form.event_triggers.items() if trigger != "on_submit"
        }
        return form


native_form = NativeForm.create
