"""The phone's share sheet for a text the server made (an invitation code)."""

from __future__ import annotations

import reflex as rx


class ShareSheet(rx.Component):
    """Its child (a button), shown only where the browser has a share sheet; a tap opens
    it with `text`. The text is a prop, never written into a script."""

    library = "$/public/share_sheet.jsx"
    tag = "ShareSheet"

    text: rx.Var[str]
    title: rx.Var[str]
