"""Text on a page, in the tab's language: `tr("Sign in")`.

A page is compiled once for everyone, so its words can't be chosen when it is built.
Each message is compiled with all its translations, and the browser shows the one for
the tab's language (`AppState.language`): a client in French and a clinician in English
see their own language in the same run of the app, and switching needs no round trip.
"""

from __future__ import annotations

import functools
import json
import re
import string
from typing import Any

import reflex as rx
from reflex.vars import StringVar
from reflex_base.utils.imports import ImportVar
from reflex_base.vars.base import VarData

from betterjournal.i18n import ELIDABLE, FRENCH, LANGUAGES, OPENS_WITH_A_VOWEL, Reader
from betterjournal.state.base import AppState

# The tab's language: the server's (AppState.language) once it has answered; before that,
# this browser's guess (assets/language.jsx: the language it last used the app in, else
# its own), applied right after React has hydrated the prerendered page. One string read
# from the state store (`useTabLanguage`), not the whole AppState: each translated word is
# drawn again only when the language changes.
_SERVERS_LANGUAGE = rx.Var.create(AppState.language)
LANGUAGE = rx.Var(
    _js_expr="bjLanguage",
    _var_type=str,
    _var_data=VarData(
        imports={"$/public/language.jsx": [ImportVar(tag="useTabLanguage")]},
        hooks={
            f"const bjLanguage = useTabLanguage({json.dumps(AppState.get_full_name())}, "
            f"{json.dumps(_SERVERS_LANGUAGE._js_expr.rsplit('.', 1)[1])});": None  # as the store names it
        },
        app_wraps=(_SERVERS_LANGUAGE._get_all_var_data() or VarData()).app_wraps,  # the store's providers
    ),
).to(str)

Text = str | rx.Var[str]  # what a component shows: a constant or a (translated) var


def tr(message: str, **values: object) -> StringVar:
    """`message` in the tab's language. A value may be a state var (filled in by the
    browser, where the translation puts it) or a constant (formatted for each language)."""
    translations = {language: _one(language, message, values) for language in LANGUAGES}
    return rx.Var.create(translations)[LANGUAGE].to(str)


def tr_counted(singular: str, plural: str) -> tuple[StringVar, StringVar]:
    """A counted message's two forms in the tab's language ("{count} word", "{count} words"),
    for the browser to fill in as the count changes: the first when the language's plural
    rule (`Intl.PluralRules`) says "one", else the second. English and French have two."""
    one = {language: Reader(language).form(singular, plural, 1) for language in LANGUAGES}
    other = {language: Reader(language).form(singular, plural, 2) for language in LANGUAGES}
    return rx.Var.create(one)[LANGUAGE].to(str), rx.Var.create(other)[LANGUAGE].to(str)


ELIDABLE_BEFORE = re.compile(ELIDABLE + "$")  # a literal's end, before a value (i18n._elided)


def _elided_word(start: str, value: rx.Var[str]) -> rx.Var[str]:
    """'de ' or "d'" (`start` "d"), 'que ' or "qu'": as the value's first letter asks."""
    elided, whole = json.dumps(start + "'"), json.dumps(start + "e ")
    return rx.Var(
        f"((/{OPENS_WITH_A_VOWEL.pattern}/i).test({value}) ? {elided} : {whole})",
        _var_data=value._get_all_var_data(),
    ).to(str)


def _one(language: str, message: str, values: dict[str, object]) -> str | rx.Var[str]:
    reader = Reader(language)
    template = reader.t(message)
    if not values:
        return template
    parts: list[str | rx.Var[str]] = []
    for literal, name, _, _ in string.Formatter().parse(template):
        value = values[name] if name is not None else None
        # "de {name}": "d'Émile" (i18n._elided), once the browser knows a state's value.
        elidable = ELIDABLE_BEFORE.search(literal) if language == FRENCH else None
        if elidable and isinstance(value, rx.Var):
            literal = literal[: elidable.start()]
        elif elidable and isinstance(value, str) and OPENS_WITH_A_VOWEL.match(value):
            literal = literal[: elidable.start()] + elidable[1] + "'"
        if literal:
            parts.append(literal)
        if elidable and isinstance(value, rx.Var):
            parts.append(_elided_word(elidable[1], value.to(str)))
        if name is not None:
            parts.append(value.to(str) if isinstance(value, rx.Var) else str(reader.shown(value)))
    if all(isinstance(part, str) for part in parts):
        return "".join(parts)  # type: ignore[arg-type]
    pieces: list[Any] = [rx.Var.create(part) if isinstance(part, str) else part for part in parts]
    return functools.reduce(lambda joined, piece: joined + piece, pieces)
