"""Free journaling: the journal entry kind, registered on the item platform.

An entry has a title (optional, one line) and a body. Everything else an entry does —
saving, drafts, paging, sharing, "seen", delete — is the platform's (core/items.py,
core/drafts.py, core/sharing.py).
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from betterjournal.core import audit, drafts, items
from betterjournal.core.errors import CoreError, Denied, InvalidInput
from betterjournal.core.validation import BODY_DRAFT_MAX, BODY_MAX, TITLE_MAX, clean_line, clean_text
from betterjournal.i18n import N_
from betterjournal.models import Cursor, JournalEntry, OwnItem, Page, Role, User


def clean_title(value: object) -> str:
    return clean_line(value, label=N_("Title"), max_length=TITLE_MAX, required=False)


def clean_body(value: object) -> str:
    return clean_text(value, label=N_("Your entry"), max_length=BODY_MAX)


def clean_body_draft(value: object) -> str:
    return clean_text(value, label=N_("Your entry"), max_length=BODY_DRAFT_MAX, required=False)


KIND = items.register(
    "journal_entry",
    JournalEntry,
    (
        items.ItemField("title", clean=clean_title, clean_draft=clean_title),
        items.ItemField("body", clean=clean_body, clean_draft=clean_body_draft),
    ),
    answers_homework=True,  # a prompt's answer is an entry
)


# --- the editor's words, handed over as its tab goes -----------------------------------------

# By beacon as the tab goes (api.keep_draft), or with a sign-in after its session ended
# (assets/unsent_words.jsx): the entry's id, its title and words, and the draft the tab
# last saw ("" for none, else its time stamp) with its words then.
# An editor's words as they leave the page (the draft beacon, a sign-in carrying them):
# `mark` is the editor's `items.words_mark`, whose words they are.
TYPED_WORDS = ("entry_id", "title", "body", "seen", "known_title", "known_body", "mark")


def keep_typed_words(session: Session, owner_id: uuid.UUID, words: dict[str, str]) -> drafts.Saved:
    """The editor's words (`TYPED_WORDS`) as a draft of the client's own entry
    (`drafts.save`): one written since on another device is kept as a draft of its own,
    as the websocket's autosave does (attack review: the beacon wrote over it). Words
    another person's editor marked are refused like another person's entry. What was
    saved, and the draft words were kept apart in, if they were."""
    items.check_words_mark(owner_id, words["entry_id"], words["mark"])
    try:
        seen = datetime.fromisoformat(words["seen"]) if words["seen"] else None
    except ValueError:
        raise InvalidInput(N_("This couldn't be saved. Please try again.")) from None
    return drafts.save(
        session,
        owner_id=owner_id,
        kind=KIND,
        item_id=words["entry_id"],
        values={"title": words["title"], "body": words["body"]},
        seen=seen,
        known={"title": words["known_title"], "body": words["known_body"]},
    )


def can_put_back(user: User, words: dict[str, str] | None) -> bool:
    """Whether a sign-in may carry these words into a draft of this person's: a client's,
    every field there."""
    return user.role == Role.CLIENT and words is not None and set(words) == set(TYPED_WORDS)


def put_back_typed_words(session: Session, user: User, words: dict[str, str]) -> str | None:
    """Words typed as the session ended, written into their draft once signed in (a
    walk-through: signed out from another device mid-sentence, the last words were not in
    the draft), as the beacon writes them; the draft's id, or None when refused (someone
    else's, too long, not a client), which leaves the sign-in as it was. Someone else's is
    audited as the beacon's refusal is (an attack review found it silent here)."""
    if not can_put_back(user, words):
        return None
    try:
        with session.begin_nested():
            keep_typed_words(session, user.id, words)
    except Denied as denial:
        audit.record_denial(session, denial)
        return None
    except CoreError:
        return None
    return str(uuid.UUID(words["entry_id"]))  # one spelling (the core took it as an id)


# --- searching one's own entries -------------------------------------------------------------

SEARCH_MAX = 200
SHOW_ALL, SHOW_SHARED, SHOW_PRIVATE = "all", "shared", "private"
SHOW_CHOICES = (SHOW_ALL, SHOW_SHARED, SHOW_PRIVATE)


def clean_query(value: object) -> str:
    """A search: one line, at most SEARCH_MAX characters (empty: every entry)."""
    return clean_line(value, label=N_("Search"), max_length=SEARCH_MAX, required=False)


def clean_show(value: object) -> str:
    """Which entries to list: all, shared or private."""
    if value not in SHOW_CHOICES:
        raise InvalidInput(N_("Choose all, shared or private entries."))
    return value  # type: ignore[return-value]


# Every combining mark (accents and the like), to be dropped by str.translate in one pass:
# a search of 5,000 entries spent most of its time testing their text a character at a
# time. All of them are below U+20000 (tests/unit/test_journal_search.py checks).
MARKS_BELOW = 0x20000
# And the ligatures French writes that have no decomposition: "soeur", as a phone's keyboard
# types it more easily, finds "sœur" (walk-through: it found nothing).
_FOLD: dict[int, str | None] = {
    **dict.fromkeys(cp for cp in range(MARKS_BELOW) if unicodedata.combining(chr(cp))),
    ord("œ"): "oe",
    ord("æ"): "ae",
}


def folded(text: str) -> str:
    """Text as a search compares it: case, accents and ligatures set aside ("Été" finds
    "ete", "sœur" finds "soeur")."""
    return unicodedata.normalize("NFKD", text.casefold()).translate(_FOLD)


def search_own(
    session: Session,
    *,
    owner_id: Any,
    query: object = "",
    show: object = SHOW_ALL,
    older: Cursor | None = None,
) -> Page[OwnItem]:
    """One page of the owner's entries that contain every word of `query` (in any order, in
    the title or the text, case and accents aside) and are shared or private as `show`
    asks, newest first.

    There is no index of the words: the owner's entries are read a page at a time (the
    platform's own query, keyed on the owner) and decrypted in memory only to be compared,
    so a search can only ever reach the owner's own entries.
    """
    wanted, which = folded(clean_query(query)).split(), clean_show(show)
    found: list[OwnItem] = []
    cursor = older
    while True:
        page = items.list_own(session, owner_id=owner_id, kind=KIND, older=cursor)
        for item in page.items:
            if _matches(item, wanted, which):
                found.append(item)
                if len(found) > items.PAGE_SIZE:
                    last = found[items.PAGE_SIZE - 1]
                    return Page(found[: items.PAGE_SIZE], (last.created_at, last.id))
        if page.older is None:
            return Page(found, None)
        cursor = page.older


def _matches(item: OwnItem, wanted: list[str], which: str) -> bool:
    if which == SHOW_SHARED and not item.shared_with:
        return False
    if which == SHOW_PRIVATE and item.shared_with:
        return False
    if not wanted:
        return True
    # Every word, anywhere ("meeting mom" found nothing in "the meeting and about mom": a
    # walk-through); a phrase still finds itself.
    text = "\n".join(folded(item.fields[name]) for name in KIND.field_names)
    return all(word in text for word in wanted)
