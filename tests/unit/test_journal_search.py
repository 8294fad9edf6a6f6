"""Searching one's own journal (issue 12): over the decrypted text of that client only.

There is no index of words: the search reads the owner's entries through the platform's
owner-keyed query and compares them in memory, so another client's entries can't match.
"""

from __future__ import annotations

import sys
import unicodedata
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from unit_support import link, new_entry, share

from betterjournal.core import items, journal
from betterjournal.core.errors import InvalidInput
from betterjournal.db import session_scope
from betterjournal.i18n import ENGLISH, FRENCH, Reader


def _found(owner_id: uuid.UUID, query: object = "", show: object = journal.SHOW_ALL) -> list[uuid.UUID]:
    with session_scope() as session:
        return [
            item.id for item in journal.search_own(session, owner_id=owner_id, query=query, show=show).items
        ]


def test_search_finds_only_the_owners_entries_case_and_accents_aside(db) -> None:
    with session_scope() as session:
        mine = new_entry(session, owner_id=db.client_a.id, title="Lundi", body="Un Été difficile au CHALET")
        other = new_entry(session, owner_id=db.client_a.id, body="Nothing to see")
        theirs = new_entry(session, owner_id=db.client_b.id, title="été", body="un été au chalet aussi")
    assert _found(db.client_a.id, "ete") == [mine]
    assert _found(db.client_a.id, "chalet") == [mine]
    assert _found(db.client_a.id, "ÉTÉ DIFFICILE") == [mine]
    assert _found(db.client_a.id, "lundi") == [mine]  # the title too
    assert _found(db.client_a.id, "aussi") == []  # only client B wrote that
    assert _found(db.client_b.id, "chalet") == [theirs]
    assert set(_found(db.client_a.id, "")) == {mine, other}  # an empty search: every entry
    assert _found(db.client_b.id, "see") == []


def test_a_search_of_several_words_finds_the_entries_holding_each_of_them(db) -> None:
    """Walk-through: "meeting mom" found nothing, though an entry held "the meeting and
    about mom"; only the exact phrase did."""
    with session_scope() as session:
        both = new_entry(
            session,
            owner_id=db.client_a.id,
            title="Sleep",
            body="I kept thinking of the meeting and about Mom.",
        )
        titled = new_entry(
            session, owner_id=db.client_a.id, title="Work meeting", body="My manager seemed anxious."
        )
        new_entry(session, owner_id=db.client_a.id, body="Only the meeting today.")
    assert _found(db.client_a.id, "meeting mom") == [both]
    assert _found(db.client_a.id, "  MOM   meeting ") == [both]  # any order, any spacing
    assert _found(db.client_a.id, "the meeting and") == [both]  # a phrase still finds itself
    assert _found(db.client_a.id, "manager anxious work") == [titled]  # the title and the text
    assert _found(db.client_a.id, "meeting dad") == []


def test_search_filters_shared_and_private(db) -> None:
    with session_scope() as session:
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
        shared = new_entry(session, owner_id=db.client_a.id, body="walk in the park")
        private = new_entry(session, owner_id=db.client_a.id, body="walk by the river")
        share(session, owner_id=db.client_a.id, entry_id=shared, clinician_id=db.clinician_a.id)
    assert _found(db.client_a.id, "walk", journal.SHOW_SHARED) == [shared]
    assert _found(db.client_a.id, "walk", journal.SHOW_PRIVATE) == [private]
    assert _found(db.client_a.id, "", journal.SHOW_SHARED) == [shared]
    with session_scope() as session:  # revoked: private again
        share(session, owner_id=db.client_a.id, entry_id=shared, clinician_id=db.clinician_a.id, shared=False)
    assert set(_found(db.client_a.id, "walk", journal.SHOW_PRIVATE)) == {shared, private}


def test_search_is_paged_newest_first(db, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(items, "PAGE_SIZE", 3)
    with session_scope() as session:
        made = []
        for number in range(8):
            made.append(
                new_entry(session, owner_id=db.client_a.id, body=f"day {number} {'rain' * (number % 2)}")
            )
    rainy = [made[n] for n in (7, 5, 3, 1)]
    with session_scope() as session:
        first = journal.search_own(session, owner_id=db.client_a.id, query="rain")
        assert [item.id for item in first.items] == rainy[:3] and first.older is not None
        second = journal.search_own(session, owner_id=db.client_a.id, query="rain", older=first.older)
        assert [item.id for item in second.items] == rainy[3:] and second.older is None


@pytest.mark.parametrize(
    ("query", "show"),
    [
        ("x" * (journal.SEARCH_MAX + 1), "all"),
        ("a\x00b", "all"),
        ("two\nlines", "all"),
        ("", "everyone"),
        (3, "all"),
    ],
)
def test_a_bad_search_is_refused(db, query: object, show: object) -> None:
    with pytest.raises(InvalidInput), session_scope() as session:
        journal.search_own(session, owner_id=db.client_a.id, query=query, show=show)


def test_today_and_yesterday_are_the_readers_days() -> None:
    # 23:30 on Nov 30 in Toronto is already Dec 1 in UTC.
    now = datetime(2026, 12, 1, 4, 30, tzinfo=UTC)
    toronto = Reader(ENGLISH, "America/Toronto")
    assert toronto.recent(now - timedelta(hours=1), now) == "Today, 10:30\u202fp.m."
    assert toronto.recent(now - timedelta(hours=22), now) == "Today, 1:30\u202fa.m."
    assert toronto.recent(now - timedelta(hours=24), now) == "Yesterday, 11:30\u202fp.m."
    assert toronto.recent(now - timedelta(days=3), now) == toronto.when(now - timedelta(days=3))
    # The same moments in Paris: there it is already Dec 1, 5:30.
    paris = Reader(FRENCH, "Europe/Paris")
    assert paris.recent(now - timedelta(hours=1), now) == "Aujourd'hui, 4\u00a0h\u00a030"
    # Within a sentence, after a colon: no capital (French writes none there: a walk-through).
    assert paris.recent(now - timedelta(hours=1), now, within=True) == "aujourd'hui, 4\u00a0h\u00a030"
    assert toronto.recent(now - timedelta(hours=1), now, within=True) == "today, 10:30\u202fp.m."
    assert paris.recent(now - timedelta(hours=6), now) == "Hier, 23\u00a0h\u00a030"
    assert paris.days_ago(now - timedelta(hours=6), now) == 1
    assert toronto.days_ago(now - timedelta(hours=6), now) == 0


def test_folding_drops_every_combining_mark_and_only_those() -> None:
    # The table of marks stops at MARKS_BELOW: there are none above it.
    above = [cp for cp in range(journal.MARKS_BELOW, sys.maxunicode + 1) if unicodedata.combining(chr(cp))]
    assert above == []
    # The same as testing each character of the decomposed text.
    text = "".join(chr(cp) for cp in range(0x20, 0x3400)) + "Été, Œuvre, Straße, ǅ, ﬁ, İ, x̧̂"
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    assert journal.folded(text) == without_marks.replace("œ", "oe").replace("æ", "ae")
    assert journal.folded("Été à l'École") == "ete a l'ecole"
    # French ligatures, which Unicode doesn't decompose, either way round.
    assert journal.folded("Ma SŒUR, Lætitia") == journal.folded("ma soeur, laetitia") == "ma soeur, laetitia"
