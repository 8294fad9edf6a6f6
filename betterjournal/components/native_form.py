"""A plain HTML form the browser submits itself.

Reflex's form always intercepts submit (preventDefault) to send the data over the
websocket. Sign-in, registration and sign-out must instead POST to our HTTP routes,
which set or clear the HttpOnly session cookie (AUTHN-4).
"""

from __future__ import annotations

from collections.abc import Iterator

import reflex as rx
from reflex_base.components.component import Component
from reflex_base.vars.base import Var
from reflex_components_core.el.elements.forms import Form


class NativeForm(Form):
    @classmethod
    def create(cls, *children, **props) -> rx.Component:
        form = super().create(*children, **props)
        form.event_triggers = {
            trigger: chain for trigger, chain in form.event_triggers.items() if trigger != "on_submit"
        }
        return form

    def _get_vars(self, include_children: bool = False, ignore_ids: set[int] | None = None) -> Iterator[Var]:
        """Only the form's own vars, as any element's. Reflex's form walks its fields' vars
        too, to read them on submit, which this form leaves to the browser; walked here, they
        put every field's and every translated word's state into the whole page, which then
        drew itself again each time that state changed (the page's first answer, a notice)."""
        return Component._get_vars(self, include_children=include_children, ignore_ids=ignore_ids)


native_form = NativeForm.create
