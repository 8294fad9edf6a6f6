"""How a page's files load on a slow phone: the stylesheet first, the scripts beside it.

React Router's prerendered pages name every script a page needs as `<link
rel="modulepreload">`, so that they download at once rather than one import after
another. The browser gives each of them the priority of a script in the head (High), the
same as the stylesheet the first paint waits for: on a slow connection the ~15 scripts
share the bandwidth with it and the page shows nothing until they have nearly all arrived,
although its HTML already holds what it shows. `fetchpriority="low"` keeps them preloaded
(still fetched at once, no waterfall of imports) but lets the stylesheet go first.
`LoadOrder.post_build` marks them in every built page, before Reflex compresses the pages.

And fewer, larger files: the build split the libraries the app draws with into a file per
use, each icon its own, each Radix component its own. The journal named 21 scripts, 12 of
them under 2 KB; a browser fetches six at a time from one server over HTTP/1.1, so each
small file was a round trip more on a phone's slow connection before the page could draw its
list. `LoadOrder.pre_compile` groups them (Vite's code splitting groups): every icon the app
uses in one script, every Radix component it uses in another, the same two on every page
(cached once). The journal now names 14 scripts, the same bytes within 2 KB.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import reflex as rx

MODULE_PRELOAD = re.compile(r'<link rel="modulepreload"(?![^>]*fetchpriority)')

# Each library's modules, by path, and the one script they go to.
SHARED_SCRIPTS = (
    ("icons", r"node_modules[\\/]lucide-react[\\/]"),
    ("radix", r"node_modules[\\/]@radix-ui[\\/]"),
)
# Reflex's vite.config.js ends its list of code splitting groups with its own environment file.
VITE_GROUPS_END = 'name: "reflex-env",\n            },'


def preload_after_styles(html: str) -> str:
    """A page's HTML with its module preloads at low priority."""
    return MODULE_PRELOAD.sub('<link rel="modulepreload" fetchpriority="low"', html)


def group_shared_scripts(vite_config: str) -> str:
    """Reflex's Vite configuration with a code splitting group for each of SHARED_SCRIPTS."""
    if VITE_GROUPS_END not in vite_config:
        raise RuntimeError(
            "betterjournal/page_loading.py: Reflex's vite.config.js no longer ends its code "
            "splitting groups as it did; see where SHARED_SCRIPTS now go."
        )
    groups = "".join(f'\n            {{ test: /{path}/, name: "{name}" }},' for name, path in SHARED_SCRIPTS)
    return vite_config.replace(VITE_GROUPS_END, VITE_GROUPS_END + groups, 1)


class LoadOrder(rx.plugins.Plugin):
    """Groups the libraries' scripts and marks the built pages' module preloads low priority
    (see the module's docstring)."""

    def pre_compile(self, **context: Any) -> None:
        super().pre_compile(**context)
        context["add_modify_task"]("vite.config.js", group_shared_scripts)

    def post_build(self, **context: Any) -> None:
        static_dir = Path(context["static_dir"])
        for page in static_dir.rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            marked = preload_after_styles(text)
            if marked != text:
                page.write_text(marked, encoding="utf-8")
