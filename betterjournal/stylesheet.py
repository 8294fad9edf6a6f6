"""The built stylesheet without the Radix rules no page can use.

Radix Themes ships one stylesheet for all of its components and every responsive variant of
its utility classes: 617 KB (61 KB gzipped) that every first load downloads and parses, and
whose rules the browser matches against every element on every change. The app names about
half of the components, and no responsive prop (a `size` per screen width), so most of it is
dead weight, on a phone most of all.

After the production build (`RadixTheme.post_build`), `trim_build` keeps a rule unless each
of its selectors names

- a Radix component class (`rt-` then a capital: `rt-TabsList`) that no built script or page
  contains: Radix's scripts name each component's classes literally, and a page's script
  imports only the components it draws; or
- a responsive variant (`.sm\\:rt-r-size-5`): Radix adds those only for a prop given per
  screen width (`rx.breakpoints`), which the app does not use (`tests/unit/test_theme.py`); or
- a colour outside the scales the theme loads (`[data-accent-color=crimson]`: its variables
  are not even defined, betterjournal/theme.py).

The trimmed stylesheet gets a name of its own (its content's hash, as Vite names files), and
every page and script that named the old one names the new one: a browser or the service
worker that kept the old file never mixes it with pages built later.
`tests/e2e/test_accessibility.py` checks, on every page of the journey, that each Radix
class on screen still has every rule Radix gives it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Collection, Sequence
from pathlib import Path

import tinycss2
from tinycss2.ast import AtRule, Node, QualifiedRule

# A Radix component's class ("rt-Button", "rt-TextFieldRoot"); its modifiers are lowercase.
COMPONENT_CLASS = re.compile(r"\brt-[A-Z][A-Za-z0-9]*")
# A responsive variant of a utility class, as a selector writes it: `.md\:rt-r-gap-3`.
RESPONSIVE_CLASS = re.compile(r"\.(?:xs|sm|md|lg|xl)\\:-?rt-")
# A colour named by an attribute selector: `[data-accent-color=crimson]`.
COLOUR_NAMED = re.compile(r"\[data-(?:accent|gray)-color=\"?([a-z]+)")
_RADIX_CLASS = re.compile(r"rt-[A-Za-z][A-Za-z0-9-]*")
_GROUPS = {"media", "supports", "layer"}  # at-rules whose content is more rules
STYLESHEET_NAME = re.compile(r"__reflex_global_styles-[A-Za-z0-9_-]{8}\.css")
_REFERRING = {".html", ".js", ".json"}  # the built files that can name the stylesheet


def classes_named(static_dir: Path) -> set[str]:
    """Every Radix class name written in the built pages and scripts."""
    found: set[str] = set()
    for path in static_dir.rglob("*"):
        if path.suffix in (".js", ".html") and path.is_file():
            found.update(_RADIX_CLASS.findall(path.read_text(encoding="utf-8", errors="replace")))
    return found


def _without_negations(selectors: str) -> str:
    """The selectors without their `:not(…)` parts: naming a class there ("not a callout's
    icon") makes a rule match more, never less."""
    kept, depth, start = [], 0, 0
    i = 0
    while i < len(selectors):
        if depth == 0 and selectors.startswith(":not(", i):
            kept.append(selectors[start:i])
            depth, i = 1, i + len(":not(")
            while i < len(selectors) and depth:
                depth += {"(": 1, ")": -1}.get(selectors[i], 0)
                i += 1
            start = i
        else:
            i += 1
    kept.append(selectors[start:])
    return "".join(kept)


def _dead(selector: str, used: set[str], colours: Collection[str]) -> bool:
    return (
        bool(RESPONSIVE_CLASS.search(selector))
        or any(name not in used for name in COMPONENT_CLASS.findall(selector))
        or any(colour not in colours for colour in COLOUR_NAMED.findall(selector))
    )


def _kept(rules: Sequence[Node], used: set[str], colours: Collection[str]) -> list[Node]:
    kept: list[Node] = []
    for rule in rules:
        if isinstance(rule, QualifiedRule):
            # Split at every comma, those inside `:is(…)` too: each of its alternatives is
            # judged alone, so one that is used keeps the rule.
            selectors = _without_negations(tinycss2.serialize(rule.prelude)).split(",")
            if all(_dead(selector, used, colours) for selector in selectors):
                continue
        elif isinstance(rule, AtRule) and rule.lower_at_keyword in _GROUPS and rule.content is not None:
            inside = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            inner = _kept(inside, used, colours)
            if not inner:
                continue
            rule.content = inner
        kept.append(rule)
    return kept


def trim(css: str, used: set[str], colours: Collection[str]) -> str:
    """`css` without the rules whose every selector names an unused Radix component class, a
    responsive variant or a colour outside `colours` (`used`: the Radix class names the build
    contains)."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return tinycss2.serialize(_kept(rules, used, colours))


def trim_build(static_dir: Path, colours: Collection[str]) -> tuple[int, int] | None:
    """Trim the built global stylesheet in place under a new name; its (old, new) sizes in
    bytes, or None when the build has none."""
    assets = static_dir / "assets"
    found = [path for path in assets.glob("*.css") if STYLESHEET_NAME.fullmatch(path.name)]
    if len(found) != 1:
        return None
    (old,) = found
    css = old.read_text(encoding="utf-8")
    trimmed = trim(css, classes_named(static_dir), colours)
    digest = base64.urlsafe_b64encode(hashlib.sha256(trimmed.encode()).digest()).decode()[:8]
    new = old.with_name(f"__reflex_global_styles-{digest}.css")
    new.write_text(trimmed, encoding="utf-8")
    if new != old:
        old.unlink()
        for path in static_dir.rglob("*"):
            if path.suffix in _REFERRING and path.is_file():
                text = path.read_text(encoding="utf-8", errors="surrogateescape")
                if old.name in text:
                    path.write_text(
                        text.replace(old.name, new.name), encoding="utf-8", errors="surrogateescape"
                    )
    return len(css.encode()), len(trimmed.encode())
