"""The Radix theme, with only the colour scales the app uses.

Reflex's Radix plugin imports `@radix-ui/themes/styles.css`, which defines all 30 of Radix's
colour scales (light, dark and wide-gamut: ~1,800 custom properties, 130 KB of the 700 KB
stylesheet) for every page. Radix documents importing the tokens per colour instead
(https://www.radix-ui.com/themes/docs/theme/color, "Tree-shaking"); `RadixTheme` does that
for the scales named in `COLOUR_SCALES`. A `color_scheme` outside it would show no colour:
`tests/unit/test_theme.py` fails when the code names one.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

ACCENT = "teal"
# The accent, the grey Radix pairs with it (sage), the neutral grey, and the notices' colours.
COLOUR_SCALES = (ACCENT, "sage", "gray", "amber", "green")


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


def radix_theme() -> RadixTheme:
    return RadixTheme(theme=rx.theme(accent_color=ACCENT, radius="large"))
