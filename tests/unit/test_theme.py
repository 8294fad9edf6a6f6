"""Every Radix colour the code names is among the scales the theme's stylesheet defines
(betterjournal/theme.py): one outside them would show no colour at all."""

from __future__ import annotations

import re
from pathlib import Path

from betterjournal import theme

SOURCE = Path(theme.__file__).parent
# color_scheme="amber", color_scheme=rx.cond(here, "teal", "gray"), accent_color="teal"
NAMED = re.compile(r"\b(?:color_scheme|accent_color|gray_color)\s*=\s*([^\n]*)")
RADIX_SCALES = {
    "gray", "mauve", "slate", "sage", "olive", "sand", "tomato", "red", "ruby", "crimson", "pink",
    "plum", "purple", "violet", "iris", "indigo", "blue", "cyan", "teal", "jade", "green", "grass",
    "brown", "orange", "sky", "mint", "lime", "yellow", "amber", "gold", "bronze",
}  # fmt: skip


def scales_named_in_the_code() -> set[str]:
    named: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for argument in NAMED.findall(path.read_text()):
            named |= set(re.findall(r"[\"']([a-z]+)[\"']", argument)) & RADIX_SCALES
    return named


def test_every_colour_the_code_names_has_its_scale_in_the_stylesheet() -> None:
    named = scales_named_in_the_code()
    assert {"teal", "gray", "amber", "green"} <= named  # the scan finds what is there
    assert named <= set(theme.COLOUR_SCALES)


def test_the_stylesheet_is_radixs_own_modular_files_for_those_scales() -> None:
    sheets = theme.radix_theme().get_stylesheet_paths()
    assert sheets[0] == "@radix-ui/themes/tokens/base.css"
    assert sheets[-2:] == ("@radix-ui/themes/components.css", "@radix-ui/themes/utilities.css")
    scales = {sheet.rsplit("/", 1)[-1].removesuffix(".css") for sheet in sheets[1:-2]}
    assert scales == set(theme.COLOUR_SCALES)
