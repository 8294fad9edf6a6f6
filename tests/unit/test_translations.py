"""Every message in the code has its Canadian French, and the catalogue holds nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from betterjournal import catalogue
from betterjournal.i18n import LOCALE_DIR, placeholders

FRENCH_PO = LOCALE_DIR / "fr_CA" / "LC_MESSAGES" / "messages.po"


def _ids(messages: Iterable[Any]) -> set[str]:
    """Message ids (a plural's singular)."""
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}


def _keys(messages: Iterable[Any]) -> set[tuple[str, str]]:
    """Message ids as the catalogue tells them apart: each with its context ("" for most)."""
    return {(m.context or "", m.id if isinstance(m.id, str) else m.id[0]) for m in messages if m.id}


def _texts(value: Any) -> list[str]:
    """A message's id or translation as a list of texts (a plural has several)."""
    if not value:
        return [""]
    return [value] if isinstance(value, str) else [str(text) for text in value]


def problems(code: Catalog, translations: Catalog) -> list[str]:
    """What is wrong with `translations` for the messages in `code`, one line each."""
    found = []
    for message in code:
        if not message.id:
            continue
        translated = translations.get(message.id, context=message.context)
        texts = _texts(translated.string if translated is not None else "")
        if translated is None or not all(texts):
            where = f" (context {message.context!r})" if message.context else ""
            found.append(f"no French for {message.id!r}{where}")
        elif translated.fuzzy:
            found.append(f"French marked fuzzy (to check) for {message.id!r}")
        else:
            wanted = set().union(*(placeholders(text) for text in _texts(message.id)))
            for text in texts:
                if placeholders(text) != wanted:
                    found.append(f"French of {message.id!r} has values {sorted(placeholders(text))}")
    for context, gone in sorted(_keys(translations) - _keys(code)):
        where = f" (context {context!r})" if context else ""
        found.append(f"French for a message no longer in the code: {gone!r}{where}")
    for gone in sorted(translations.obsolete):
        found.append(f"obsolete French kept for {gone!r}")
    return found


def _french() -> Catalog:
    with open(FRENCH_PO, "rb") as po:
        return read_po(po)


def test_every_message_in_the_code_has_french_and_nothing_else() -> None:
    code = catalogue.extract()
    assert len(code) > 150  # extraction sees the app's messages, not an empty tree
    found = problems(code, _french())
    assert not found, "Run `make messages`, then translate:\n" + "\n".join(found)


def test_the_check_finds_a_missing_a_stale_and_a_broken_translation() -> None:
    code = Catalog()
    code.add("Sign in")
    code.add("Shared with {name}.")
    code.add("Draft saved")
    translations = Catalog()
    translations.add("Sign in", "Se connecter")
    translations.add("Shared with {name}.", "Partagée avec {nom}.")
    translations.add("Entry archived", "Entrée archivée")
    assert problems(code, translations) == [
        "French of 'Shared with {name}.' has values ['nom']",
        "no French for 'Draft saved'",
        "French for a message no longer in the code: 'Entry archived'",
    ]


def test_extraction_finds_each_kind_of_call() -> None:
    """`tr` on pages, `_t` in states, `t` on a reader, `N_` marks: all reach the catalogue."""
    code = _ids(catalogue.extract())
    assert {
        "Write an entry",  # tr(...) in pages/journal.py
        "Draft saved",  # self._t(...) in state/editor.py
        "Written {written}",  # reader.t(...) in views.py
        "Entry deleted.",  # N_(...) in views.py
        "{label} can't be empty.",  # N_(...) in core/validation.py
    } <= code


# French sets ? ! : ; » apart from the word before with a no-break space (and « from the word
# after), so that a line never breaks there: "Supprimer cette entrée ?" must not end a line
# with "?" alone. A clock time ("10:00") and an address ("https://") are not punctuation.
_NO_BREAK = "\u00a0\u202f"
_SPACED_AFTER_WORD = re.compile(r"(?<=[^\s\d])[?!:;»]|[ \t\n][?!:;»]")
_SPACED_BEFORE_WORD = re.compile(r"«(?=[^\s])|«[ \t\n]")


def spacing_problems(translations: Catalog) -> list[str]:
    """Translations where high punctuation lacks its no-break space, one line each."""
    found = []
    for message in translations:
        for text in _texts(message.string) if message.id else []:
            for mark in (*_SPACED_AFTER_WORD.finditer(text), *_SPACED_BEFORE_WORD.finditer(text)):
                before, after = text[max(mark.start() - 1, 0)], text[mark.end() : mark.end() + 2]
                if before in _NO_BREAK or after == "//" or (mark.group() == "«" and after[:1] in _NO_BREAK):
                    continue
                found.append(f"{text!r}: a no-break space around {mark.group().strip()!r}")
                break
    return found


def test_french_high_punctuation_is_held_to_its_word_by_a_no_break_space() -> None:
    found = spacing_problems(_french())
    assert not found, "Use U+00A0 (or U+202F) there:\n" + "\n".join(found)


def test_the_spacing_check_finds_a_plain_space_and_a_missing_one() -> None:
    translations = Catalog()
    translations.add("Delete this entry?", "Supprimer cette entrée ?")
    translations.add("Sleep: {hours}", "Sommeil: {hours}")
    translations.add("Saved!", "Enregistrée\u00a0!")
    translations.add("At 10:00", "À 10:00, voir https://example.ca")
    assert [line.split(":")[0] for line in spacing_problems(translations)] == [
        "'Supprimer cette entrée ?'",
        "'Sommeil",
    ]


def test_a_message_with_a_context_needs_its_own_french() -> None:
    """'Homework' (the page) translated does not stand for 'Homework' of one item, and the
    French of a context gone from the code is stale like any other."""
    code = Catalog()
    code.add("Homework")
    code.add("Homework", context="one item")
    translations = Catalog()
    translations.add("Homework", "Devoirs")
    translations.add("Homework", "Devoir", context="a context no longer used")
    assert problems(code, translations) == [
        "no French for 'Homework' (context 'one item')",
        "French for a message no longer in the code: 'Homework' (context 'a context no longer used')",
    ]
