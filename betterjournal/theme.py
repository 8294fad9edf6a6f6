"""The Radix theme, with only the colour scales the app uses.

Reflex's Radix plugin imports `@radix-ui/themes/styles.css`, which defines all 30 of Radix's
colour scales (light, dark and wide-gamut: ~1,800 custom properties, 130 KB of the 700 KB
stylesheet) for every page. Radix documents importing the tokens per colour instead
(https://www.radix-ui.com/themes/docs/theme/color, "Tree-shaking"); `RadixTheme` does that
for the scales named in `COLOUR_SCALES`. A `color_scheme` outside it would show no colour:
`tests/unit/test_theme.py` fails when the code names one.

The plugin also adds Radix Themes to Reflex's "bundled libraries": the app's root then
imports the whole library (`import * as …`, put on `window.__reflex`) so that components
made on the server at run time (`rx.dynamic`) can use any of them. The app makes none, and
that import put every Radix component (menus, tabs, sliders, tables…) in every page's
JavaScript: 258 KB of gzip on the sign-in page, of which 78 KB it never runs. `RadixTheme`
takes it out of the list before the root is written, so each page loads only the components
it names (`tests/e2e/test_pwa.py` checks the sign-in page's scripts).

After the production build, the stylesheet loses the rules of the components no page draws,
of Radix's responsive variants and of the other colours (betterjournal/stylesheet.py).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from reflex_base.components.dynamic import reset_bundled_libraries

from betterjournal import stylesheet

ACCENT = "teal"
# The accent, the grey Radix pairs with it (sage), the neutral grey, the notices' colours, and
# red for the buttons that remove something (`removing_button`).
COLOUR_SCALES = (ACCENT, "sage", "gray", "amber", "green", "red")


@dataclasses.dataclass
class RadixTheme(rx.plugins.RadixThemesPlugin):
    """Radix Themes with the stylesheet cut to `COLOUR_SCALES`."""

    def get_stylesheet_paths(self, **context: Any) -> tuple[str, ...]:
        if not self.enabled:
            return ()
        return (
            "@radix-ui/themes/tokens/base.css",
            *(f"@radix-ui/themes/tokens/colors/{scale}.css" for scale in COLOUR_SCALES),
            "@radix-ui/themes/components.css",
            "@radix-ui/themes/utilities.css",
        )

    def pre_compile(self, **context: Any) -> None:
        """After the pages are compiled, before the root is: only Reflex's own libraries stay
        bundled (the app has no components made at run time)."""
        super().pre_compile(**context)
        reset_bundled_libraries()

    def post_build(self, **context: Any) -> None:
        """After the production build: the stylesheet without the rules no page can use
        (betterjournal/stylesheet.py)."""
        super().post_build(**context)
        stylesheet.trim_build(context["static_dir"], COLOUR_SCALES)


def radix_theme() -> RadixTheme:
    return RadixTheme(theme=rx.theme(accent_color=ACCENT, radius="large"))
