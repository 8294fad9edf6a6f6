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


# --- the stylesheet trimmed after the build (betterjournal/stylesheet.py) -----------------------

BUILT_CSS = (
    ".rt-Button{color:red}"
    ".rt-TabsList{color:blue}"
    ".rt-TabsList .rt-Text,.rt-Button .rt-Text{margin:0}"  # one selector of two still used
    ":where(.rt-TabsTrigger){padding:0}"
    ".rt-r-size-2{font-size:2px}"
    "@media (width>=520px){.sm\\:rt-r-size-2{font-size:2px}.md\\:-rt-r-m-3{margin:-3px}}"
    "@media (hover:hover){.rt-TabsList:hover{color:green}.rt-Button:hover{color:pink}}"
    "@supports (color:color(display-p3 1 1 1)){.rt-TabsList{color:color(display-p3 0 0 1)}}"
    "@keyframes rt-fade{from{opacity:0}to{opacity:1}}"
    ".radix-themes{--x:1}"
    ".rt-Button:not(.rt-TabsList,:has(.rt-Menu)){gap:1px}"  # names what it must not be
    ":where(.rt-TabsList,.rt-Button) .rt-Text{gap:2px}"  # one alternative is used
    "[data-accent-color=crimson]{--accent-1:var(--crimson-1)}"
    "[data-accent-color=teal]{--accent-1:var(--teal-1)}"
    ':is([data-gray-color="mauve"]) .rt-Button{color:var(--mauve-9)}'
)


def test_the_trimmed_stylesheet_keeps_every_rule_a_page_can_use_and_drops_the_rest() -> None:
    from betterjournal.stylesheet import trim

    kept = trim(BUILT_CSS, {"rt-Button", "rt-Text", "rt-r-size"}, theme.COLOUR_SCALES)
    assert kept == (
        ".rt-Button{color:red}"
        ".rt-TabsList .rt-Text,.rt-Button .rt-Text{margin:0}"
        ".rt-r-size-2{font-size:2px}"
        "@media (hover:hover){.rt-Button:hover{color:pink}}"
        "@keyframes rt-fade{from{opacity:0}to{opacity:1}}"
        ".radix-themes{--x:1}"
        ".rt-Button:not(.rt-TabsList,:has(.rt-Menu)){gap:1px}"
        ":where(.rt-TabsList,.rt-Button) .rt-Text{gap:2px}"
        "[data-accent-color=teal]{--accent-1:var(--teal-1)}"
    )


def test_the_trimmed_stylesheet_gets_a_name_of_its_own_everywhere_it_is_named(tmp_path: Path) -> None:
    from betterjournal.stylesheet import trim_build

    (tmp_path / "assets").mkdir()
    old = "__reflex_global_styles-BaJjixo-.css"
    (tmp_path / "assets" / old).write_text(BUILT_CSS)
    page = f'<link href="/assets/{old}" rel="stylesheet"/><button class="rt-Button rt-r-size-2">'
    (tmp_path / "signin.html").write_text(page)
    (tmp_path / "assets" / "manifest-1.js").write_text(f'css:["/assets/{old}"],c:`rt-Text`')
    (tmp_path / "assets" / "other-2.js").write_text("nothing to change")

    sizes = trim_build(tmp_path, theme.COLOUR_SCALES)

    assert sizes is not None and sizes[1] < sizes[0] == len(BUILT_CSS)
    (new,) = (tmp_path / "assets").glob("*.css")
    assert new.name != old and re.fullmatch(r"__reflex_global_styles-[A-Za-z0-9_-]{8}\.css", new.name)
    assert ".rt-TabsList{" not in new.read_text() and ".rt-Button{color:red}" in new.read_text()
    assert (tmp_path / "signin.html").read_text() == page.replace(old, new.name)
    assert (tmp_path / "assets" / "manifest-1.js").read_text() == f'css:["/assets/{new.name}"],c:`rt-Text`'
    assert (tmp_path / "assets" / "other-2.js").read_text() == "nothing to change"


def test_the_code_gives_nothing_per_screen_width_through_radix() -> None:
    """The trimmed stylesheet keeps no responsive variants (`.sm\\:rt-r-size-5`), so a prop
    given per screen width (`rx.breakpoints`) would lose its rules: a style's own media query
    does it instead (pages/clinician.py, the invitation code)."""
    found = [
        f"{path.name}: {line.strip()}"
        for path in SOURCE.rglob("*.py")
        for line in path.read_text().splitlines()
        if "breakpoints(" in line and not line.lstrip().startswith("#")
    ]
    assert found == []
