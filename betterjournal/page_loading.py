"""How a page's files load on a slow phone: the stylesheet first, the scripts beside it.

React Router's prerendered pages name every script a page needs as `<link
rel="modulepreload">`, so that they download at once rather than one import after
another. The browser gives each of them the priority of a script in the head (High), the
same as the stylesheet the first paint waits for: on a slow connection the ~15 scripts
share the bandwidth with it and the page shows nothing until they have nearly all arrived,
although its HTML already holds what it shows. `fetchpriority="low"` keeps them preloaded
(still fetched at once, no waterfall of imports) but lets the stylesheet go first.
`LoadOrder.post_build` marks them in every built page, before Reflex compresses the pages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import reflex as rx

MODULE_PRELOAD = re.compile(r'<link rel="modulepreload"(?![^>]*fetchpriority)')


def preload_after_styles(html: str) -> str:
    """A page's HTML with its module preloads at low priority."""
    return MODULE_PRELOAD.sub('<link rel="modulepreload" fetchpriority="low"', html)


class LoadOrder(rx.plugins.Plugin):
    """Marks the built pages' module preloads low priority (see the module's docstring)."""

    def post_build(self, **context: Any) -> None:
        static_dir = Path(context["static_dir"])
        for page in static_dir.rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            marked = preload_after_styles(text)
            if marked != text:
                page.write_text(marked, encoding="utf-8")
