"""The message catalogues: extract every message from the code, update the French.

`make messages` runs this module. It writes `locale/messages.pot` (every message in the
code, with where it is used) and merges it into each translation's .po file: new
messages arrive untranslated, messages that left the code are dropped. A translator
then fills in the empty `msgstr`s; tests/unit/test_translations.py fails until every
message has its French.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from betterjournal.i18n import LOCALE_DIR

PACKAGE = Path(__file__).parent
TEMPLATE = LOCALE_DIR / "messages.pot"
# The calls that hold a message (see betterjournal/i18n.py): `tr` in components, `t` and
# `_t` on the server, `n` and `tr_counted` for a plural, `N_` to mark one that is
# translated later, `pN_` for one with a context.
KEYWORDS = {
    "tr": None,
    "t": None,
    "_t": None,
    "N_": None,
    "pN_": ((1, "c"), 2),
    "n": (1, 2),
    "tr_counted": (1, 2),
}


def extract() -> Catalog:
    """Every message in the package's code, with the files and lines that use it."""
    catalog = Catalog(project="Betterjournal", fuzzy=False)
    found = extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("Translators:",)
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(
            message,
            locations=[(f"betterjournal/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def translation_paths() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))


def update() -> None:
    template = extract()
    with open(TEMPLATE, "wb") as out:
        write_po(out, template, width=100, sort_output=False)
    for path in translation_paths():
        with open(path, "rb") as po:
            catalog = read_po(po)
        catalog.update(template, no_fuzzy_matching=True)
        with open(path, "wb") as out:
            write_po(out, catalog, width=100, ignore_obsolete=True)
        missing = sum(1 for message in catalog if message.id and not _translated(message.string))
        print(f"{path.relative_to(PACKAGE.parent)}: {len(catalog)} messages, {missing} to translate")  # noqa: T201


def _translated(string: object) -> bool:
    """A translation, every plural form of it for a message with plurals."""
    return all(string) if isinstance(string, tuple | list) else bool(string)


if __name__ == "__main__":
    update()
