"""Free journaling: the journal entry kind, registered on the item platform.

An entry has a title (optional, one line) and a body. Everything else an entry does —
saving, drafts, paging, sharing, "seen", delete — is the platform's (core/items.py,
core/drafts.py, core/sharing.py).
"""

from __future__ import annotations

from betterjournal.core import items
from betterjournal.core.validation import BODY_MAX, TITLE_MAX, clean_line, clean_text
from betterjournal.i18n import N_
from betterjournal.models import JournalEntry


def clean_title(value: object) -> str:
    return clean_line(value, label=N_("Title"), max_length=TITLE_MAX, required=False)


def clean_body(value: object) -> str:
    return clean_text(value, label=N_("Your entry"), max_length=BODY_MAX)


def clean_body_draft(value: object) -> str:
    return clean_text(value, label=N_("Your entry"), max_length=BODY_MAX, required=False)


KIND = items.register(
    "journal_entry",
    JournalEntry,
    (
        items.ItemField("title", clean=clean_title, clean_draft=clean_title),
        items.ItemField("body", clean=clean_body, clean_draft=clean_body_draft),
    ),
)
