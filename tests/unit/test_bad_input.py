"""Bad input is refused with a clear message, echoes nothing and writes nothing (INPUT-1, -2, -5)."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session
from unit_support import audit_events, link, new_entry, row_counts, share

from betterjournal.core import checkins, drafts, items, journal, sharing, validation
from betterjournal.core.errors import CoreError, InvalidInput, NotFound
from betterjournal.db import session_scope
from betterjournal.i18n import N_
from betterjournal.models import AuditAction, AuditOutcome

MARK = "ECHO-MARK"

BAD_TEXT = {
    "nul": f"{MARK}\x00",
    "bell": f"{MARK}\x07",
    "escape": f"{MARK}\x1b[31m",
    "delete": f"{MARK}\x7f",
    "c1-csi": f"{MARK}\x9b",
    "vertical-tab": f"{MARK}\x0b",
    "form-feed": f"{MARK}\x0c",
    "lone-high-surrogate": f"{MARK}\ud800",
    "lone-low-surrogate": f"{MARK}\udfff",
}
NOT_TEXT = [None, 1, 0, 3.5, [], [MARK], {}, {MARK: MARK}, b"x", MARK.encode(), True, False]

BAD_BODIES = {
    **BAD_TEXT,
    "empty": "",
    "spaces": "   ",
    "whitespace": " \n\t\n ",
    "too-long": MARK + "x" * (validation.BODY_MAX + 1 - len(MARK)),
    **{f"type-{type(value).__name__}-{index}": value for index, value in enumerate(NOT_TEXT)},
}
BAD_TITLES = {
    **BAD_TEXT,
    "too-long": MARK + "t" * (validation.TITLE_MAX + 1 - len(MARK)),
    "newline": f"{MARK}\nsecond line",
    "tab": f"{MARK}\tcolumn",
    **{f"type-{type(value).__name__}-{index}": value for index, value in enumerate(NOT_TEXT)},
}


def assert_echoes_nothing(error: CoreError, value: object) -> None:
    message = str(error)
    assert message, "a refusal needs a message a person can act on"
    assert MARK not in message
    if isinstance(value, str) and value.strip():
        assert value not in message
        assert value.strip() not in message
    elif not isinstance(value, str | bool | int | float) and value is not None:
        assert repr(value) not in message
        assert str(value) not in message


# --- the validators themselves -------------------------------------------------------


@pytest.mark.parametrize("value", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_clean_body_refuses(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        journal.clean_body(value)
    assert_echoes_nothing(caught.value, value)


@pytest.mark.parametrize("value", BAD_TITLES.values(), ids=BAD_TITLES.keys())
def test_clean_title_refuses(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        journal.clean_title(value)
    assert_echoes_nothing(caught.value, value)


def test_limits_are_inclusive() -> None:
    body = "b" * validation.BODY_MAX
    title = "t" * validation.TITLE_MAX
    assert journal.clean_body(body) == body
    assert journal.clean_title(title) == title


def test_newline_and_tab_are_allowed_in_a_body() -> None:
    assert journal.clean_body("line one\n\tindented\nline three") == ("line one\n\tindented\nline three")


def test_carriage_returns_become_newlines() -> None:
    assert journal.clean_body("a\r\nb\rc") == "a\nb\nc"


def test_valid_non_ascii_text_is_kept() -> None:
    text = "Ça va mieux 😀 — 日本語 ﬁ"
    assert journal.clean_body(text) == text
    assert journal.clean_title(text) == text


def test_text_is_normalised_to_nfc() -> None:
    assert journal.clean_body("caf\u0065\u0301") == "caf\u00e9"
    assert journal.clean_title("  e\u0301t\u0065\u0301  ") == "\u00e9t\u00e9"
    # NFC comes before the length check: 50,000 decomposed pairs become 25,000 letters.
    assert len(journal.clean_body("e\u0301" * (validation.BODY_MAX // 2))) == 25_000


def test_empty_title_and_empty_draft_body_are_allowed() -> None:
    assert journal.clean_title("") == ""
    assert journal.clean_title("   ") == ""
    assert journal.clean_body_draft("") == ""
    assert journal.clean_body_draft("   ") == "   "


@pytest.mark.parametrize(
    "value",
    [
        None,
        1,
        [],
        {},
        b"x",
        True,
        "",
        "not-a-uuid",
        "12345678-1234-1234-1234-12345678901",  # 35 characters
        "12345678-1234-1234-1234-1234567890123",  # 37 characters
        "g2345678-1234-1234-1234-123456789012",  # 36, not hex
        "12345678-1234-1234-1234-12345678901\x00",
        "' OR 1=1 --                         ",  # 36 characters of SQL
        "x" * 10_000,
    ],
)
def test_parse_id_refuses_anything_but_a_uuid(value: object) -> None:
    with pytest.raises(NotFound) as caught:
        validation.parse_id(value)
    assert str(caught.value) == str(NotFound())


def test_parse_id_accepts_a_uuid_string() -> None:
    value = uuid.uuid4()
    assert validation.parse_id(str(value)) == value
    assert validation.parse_id(str(value).upper()) == value
    assert validation.parse_id(value) is value


def test_can_hold_accepts_work_in_progress_but_not_unsendable_text() -> None:
    assert validation.can_hold("", max_length=10)
    assert validation.can_hold("   \x00 half", max_length=10)  # validated on save, not here
    assert validation.can_hold("x" * 10, max_length=10)
    assert not validation.can_hold("x" * 11, max_length=10)
    assert not validation.can_hold("a\ud800", max_length=10)
    for value in (None, 1, b"x", ["x"], True):
        assert not validation.can_hold(value, max_length=10)


@pytest.mark.parametrize("value", [None, 1, 0, "true", "yes", [], {}])
def test_parse_bool_refuses_non_bools(value: object) -> None:
    with pytest.raises(InvalidInput):
        validation.parse_bool(value, label=N_("Shared"))


@pytest.mark.parametrize(
    "value",
    [None, 1, "", "no-at-sign", "two@@example.com", "a@b", "a b@example.com", f"{MARK}\x00@x.ca"],
)
def test_clean_email_refuses(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        validation.clean_email(value)
    assert_echoes_nothing(caught.value, value)


def test_clean_email_lowercases_and_trims() -> None:
    assert validation.clean_email("  Sam.Tremblay@Example.CA ") == "sam.tremblay@example.ca"


# --- through the core: refused, and nothing written ---------------------------------


@pytest.fixture
def existing(db):
    """A linked client with one entry, a draft, and one share; returns the entry id."""
    with session_scope() as session:
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
        entry = new_entry(session, owner_id=db.client_a.id, title="Kept", body="kept body")
        share(session, owner_id=db.client_a.id, entry_id=entry, clinician_id=db.clinician_a.id)
        save_draft(session, owner_id=db.client_a.id, entry_id=uuid.uuid4(), title="", body="draft")
    return entry


def save_entry(
    session: Session, *, owner_id: uuid.UUID, entry_id: object, title: object, body: object
) -> bool:
    return items.save(
        session, owner_id=owner_id, kind=journal.KIND, item_id=entry_id, values={"title": title, "body": body}
    )


def save_draft(
    session: Session, *, owner_id: uuid.UUID, entry_id: object, title: object, body: object
) -> None:
    drafts.save(
        session, owner_id=owner_id, kind=journal.KIND, item_id=entry_id, values={"title": title, "body": body}
    )


def get_entry(session: Session, *, owner_id: uuid.UUID, entry_id: object) -> dict[str, str]:
    return items.open_own(session, owner_id=owner_id, kind=journal.KIND, item_id=entry_id).fields


def _events() -> list[tuple[str, str, uuid.UUID | None, uuid.UUID | None]]:
    with session_scope() as session:
        return [(e.action, e.outcome, e.actor_id, e.item_id) for e in audit_events(session)]


def _counts() -> dict[str, int]:
    with session_scope() as session:
        return row_counts(session)


def _refused(call, value: object, errors=(InvalidInput,)) -> None:
    """Run `call(session)` in a unit of work; it must refuse, echo nothing, write nothing."""
    before = _counts()
    with pytest.raises(errors) as caught, session_scope() as session:
        call(session)
    assert_echoes_nothing(caught.value, value)
    assert _counts() == before


@pytest.mark.parametrize("value", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_save_entry_refuses_bad_bodies(db, existing, value: object) -> None:
    for entry_id in (uuid.uuid4(), existing):  # a new entry, and an edit
        _refused(
            lambda s, entry_id=entry_id: save_entry(
                s, owner_id=db.client_a.id, entry_id=entry_id, title="Fine", body=value
            ),
            value,
        )
    with session_scope() as session:
        assert get_entry(session, owner_id=db.client_a.id, entry_id=existing)["body"] == "kept body"


@pytest.mark.parametrize("value", BAD_TITLES.values(), ids=BAD_TITLES.keys())
def test_save_entry_refuses_bad_titles(db, existing, value: object) -> None:
    for entry_id in (uuid.uuid4(), existing):
        _refused(
            lambda s, entry_id=entry_id: save_entry(
                s, owner_id=db.client_a.id, entry_id=entry_id, title=value, body="Fine body"
            ),
            value,
        )


# A draft may be empty, and may run past an entry's limit (so that words pasted past it
# are kept while the person shortens them), up to BODY_DRAFT_MAX.
BAD_DRAFT_BODIES = {
    **{k: v for k, v in BAD_BODIES.items() if k not in {"empty", "spaces", "whitespace", "too-long"}},
    "too-long": MARK + "x" * (validation.BODY_DRAFT_MAX + 1 - len(MARK)),
}


@pytest.mark.parametrize("value", BAD_DRAFT_BODIES.values(), ids=BAD_DRAFT_BODIES.keys())
def test_save_draft_refuses_bad_bodies(db, existing, value: object) -> None:
    _refused(
        lambda s: save_draft(s, owner_id=db.client_a.id, entry_id=uuid.uuid4(), title="", body=value),
        value,
    )


def test_a_draft_keeps_words_past_an_entrys_limit_that_saving_refuses(db) -> None:
    entry_id = uuid.uuid4()
    body = "d" * validation.BODY_DRAFT_MAX
    with session_scope() as session:
        save_draft(session, owner_id=db.client_a.id, entry_id=entry_id, title="", body=body)
    with session_scope() as session:
        kept = drafts.get(session, owner_id=db.client_a.id, item_id=entry_id)
    assert kept is not None and kept.fields["body"] == body
    with pytest.raises(InvalidInput), session_scope() as session:
        new_entry(session, owner_id=db.client_a.id, title="", body=body)


def test_save_entry_accepts_the_limits_exactly(db) -> None:
    body = "b" * validation.BODY_MAX
    title = "t" * validation.TITLE_MAX
    with session_scope() as session:
        entry = new_entry(session, owner_id=db.client_a.id, title=title, body=body)
    with session_scope() as session:
        detail = get_entry(session, owner_id=db.client_a.id, entry_id=entry)
    assert detail == {"title": title, "body": body}


def test_save_entry_stores_nfc(db) -> None:
    with session_scope() as session:
        entry = new_entry(
            session, owner_id=db.client_a.id, title=" Cafe\u0301 ", body="cre\u0300me bru\u0302le\u0301e"
        )
    with session_scope() as session:
        detail = get_entry(session, owner_id=db.client_a.id, entry_id=entry)
    assert detail["title"] == "Café"
    assert detail["body"] == "crème brûlée"
    assert "\u0301" not in detail["body"]


def test_draft_stores_nfc(db) -> None:
    entry_id = uuid.uuid4()
    with session_scope() as session:
        save_draft(session, owner_id=db.client_a.id, entry_id=entry_id, title="e\u0301", body="e\u0301")
    with session_scope() as session:
        draft = drafts.get(session, owner_id=db.client_a.id, item_id=entry_id)
    assert draft is not None
    assert draft.fields == {"title": "é", "body": "é"}


RAW_IDS = ["not-a-uuid", "", None, 7, ["x"], "g2345678-1234-1234-1234-123456789012"]


@pytest.mark.parametrize("raw", RAW_IDS)
def test_malformed_ids_are_refused_before_any_write(db, existing, raw: object) -> None:
    """Ids from a payload go through parse_id: malformed ones answer like unknown ones."""

    def save(s):
        save_entry(s, owner_id=db.client_a.id, entry_id=validation.parse_id(raw), title="", body="x")

    def delete(s):
        items.delete_item(s, owner_id=db.client_a.id, item_id=validation.parse_id(raw))

    def get(s):
        get_entry(s, owner_id=db.client_a.id, entry_id=validation.parse_id(raw))

    def share_it(s):
        share(
            s,
            owner_id=db.client_a.id,
            entry_id=validation.parse_id(raw),
            clinician_id=db.clinician_a.id,
        )

    def read(s):
        sharing.open_shared(
            s, clinician_id=db.clinician_a.id, item_id=validation.parse_id(raw), kind=journal.KIND
        )

    for call in (save, delete, get, share_it, read):
        _refused(call, raw, errors=(NotFound,))


def test_someone_elses_entry_is_not_found_for_every_action(db, existing) -> None:
    stranger = db.client_b.id
    with session_scope() as session:
        link(session, client_id=stranger, clinician_id=db.clinician_a.id)
    calls = {
        "save": lambda s: save_entry(
            s, owner_id=stranger, entry_id=existing, title="mine now", body="overwritten"
        ),
        "draft": lambda s: save_draft(s, owner_id=stranger, entry_id=existing, title="", body="sneaky draft"),
        "delete": lambda s: items.delete_item(s, owner_id=stranger, item_id=existing),
        "get": lambda s: get_entry(s, owner_id=stranger, entry_id=existing),
        "edit": lambda s: drafts.open_for_editing(
            s, owner_id=stranger, kind=journal.KIND, item_id=existing, issued=True
        ),
        "share": lambda s: share(s, owner_id=stranger, entry_id=existing, clinician_id=db.clinician_a.id),
        "revoke": lambda s: share(
            s, owner_id=stranger, entry_id=existing, clinician_id=db.clinician_a.id, shared=False
        ),
    }
    actions = {
        "save": AuditAction.WRITE_ITEM,
        "draft": AuditAction.WRITE_ITEM,
        "delete": AuditAction.DELETE,
        "get": AuditAction.VIEW_ITEM,
        "edit": AuditAction.VIEW_ITEM,
        "share": AuditAction.SHARE,
        "revoke": AuditAction.REVOKE,
    }
    for name, call in calls.items():
        before, events = _counts(), len(_events())
        with pytest.raises(NotFound) as caught, session_scope() as session:
            call(session)
        assert str(caught.value) == str(NotFound()), name
        assert _counts() == before, name
        # New with the platform: every refused attempt is audited, the owner-side ones too.
        assert _events()[events:] == [(actions[name], AuditOutcome.DENIED, stranger, existing)], name
    with session_scope() as session:
        assert get_entry(session, owner_id=db.client_a.id, entry_id=existing) == {
            "title": "Kept",
            "body": "kept body",
        }
        shares = sharing.shares_of(session, owner_id=db.client_a.id, item_ids=[existing])[existing]
        assert [s.shared_at is not None for s in shares] == [True]
        assert drafts.get(session, owner_id=stranger, item_id=existing) is None


def test_unknown_entry_is_not_found_for_every_action(db, existing) -> None:
    unknown = uuid.uuid4()
    owner = db.client_a.id
    calls = [
        lambda s: items.delete_item(s, owner_id=owner, item_id=unknown),
        lambda s: get_entry(s, owner_id=owner, entry_id=unknown),
        lambda s: drafts.open_for_editing(
            s, owner_id=owner, kind=journal.KIND, item_id=unknown, issued=False
        ),
        lambda s: share(s, owner_id=owner, entry_id=unknown, clinician_id=db.clinician_a.id),
    ]
    for call in calls:
        _refused(call, str(unknown), errors=(NotFound,))


def test_sharing_with_anyone_but_a_linked_clinician_changes_nothing(db, existing) -> None:
    owner = db.client_a.id
    for someone in (db.client_b.id, db.clinician_b.id, uuid.uuid4(), owner):
        _refused(lambda s, who=someone: share(s, owner_id=owner, entry_id=existing, clinician_id=who), "")


def test_a_draft_id_is_not_a_shareable_item(db) -> None:
    owner = db.client_a.id
    draft_id = uuid.uuid4()
    with session_scope() as session:
        link(session, client_id=owner, clinician_id=db.clinician_a.id)
        save_draft(session, owner_id=owner, entry_id=draft_id, title="", body="unsaved")
    _refused(
        lambda s: share(s, owner_id=owner, entry_id=draft_id, clinician_id=db.clinician_a.id),
        "",
        errors=(NotFound,),
    )


def test_a_draft_of_one_kind_is_never_overwritten_by_another_kinds_form(db) -> None:
    """AVAIL-1, INPUT-1: the draft beacon sends a journal form; aimed at the id of a
    check-in being written, it is refused as an unknown id and the check-in's draft stays
    (before, its words were replaced by the entry's fields)."""
    owner = db.client_a.id
    draft_id = uuid.uuid4()
    with session_scope() as session:
        drafts.save(
            session, owner_id=owner, kind=checkins.KIND, item_id=draft_id, values={"note": "kept note"}
        )
    with pytest.raises(NotFound), session_scope() as session:
        save_draft(session, owner_id=owner, entry_id=draft_id, title="t", body="beacon words")
    with session_scope() as session:
        kept = drafts.get(session, owner_id=owner, item_id=draft_id)
    assert kept is not None and kept.kind == checkins.KIND.name and kept.fields.get("note") == "kept note"


# --- the core refuses raw ids itself, whatever the caller parsed ------------------------------


def _id_calls(owner: uuid.UUID, clinician: uuid.UUID) -> dict[str, tuple[object, AuditAction]]:
    values = {"title": "", "body": "words"}
    return {
        "save": (
            lambda s, i: items.save(s, owner_id=owner, kind=journal.KIND, item_id=i, values=values),
            AuditAction.WRITE_ITEM,
        ),
        "save_draft": (
            lambda s, i: drafts.save(s, owner_id=owner, kind=journal.KIND, item_id=i, values=values),
            AuditAction.WRITE_ITEM,
        ),
        "open_own": (
            lambda s, i: items.open_own(s, owner_id=owner, kind=journal.KIND, item_id=i),
            AuditAction.VIEW_ITEM,
        ),
        "open_for_editing": (
            lambda s, i: drafts.open_for_editing(
                s, owner_id=owner, kind=journal.KIND, item_id=i, issued=True
            ),
            AuditAction.VIEW_ITEM,
        ),
        "delete_item": (lambda s, i: items.delete_item(s, owner_id=owner, item_id=i), AuditAction.DELETE),
        "discard_draft": (lambda s, i: drafts.discard(s, owner_id=owner, item_id=i), AuditAction.WRITE_ITEM),
        "get_draft": (lambda s, i: drafts.get(s, owner_id=owner, item_id=i), AuditAction.VIEW_ITEM),
        "share": (
            lambda s, i: sharing.set_shared(
                s, owner_id=owner, item_id=i, clinician_id=clinician, shared=True
            ),
            AuditAction.SHARE,
        ),
        "revoke": (
            lambda s, i: sharing.set_shared(
                s, owner_id=owner, item_id=i, clinician_id=clinician, shared=False
            ),
            AuditAction.REVOKE,
        ),
        "share_with": (
            lambda s, i: sharing.set_shared(
                s, owner_id=owner, item_id=uuid.uuid4(), clinician_id=i, shared=True
            ),
            AuditAction.SHARE,
        ),
    }


@pytest.mark.parametrize("name", list(_id_calls(uuid.uuid4(), uuid.uuid4())))
@pytest.mark.parametrize("raw", ["not-an-id", "", "x" * 36, 42, None, ["a"]])
def test_core_functions_refuse_a_malformed_id_without_touching_the_database(
    db, name: str, raw: object
) -> None:
    """Refused like an unknown id, nothing written; and (new with the platform) audited as a
    denied attempt with no item id."""
    call, action = _id_calls(db.client_a.id, db.clinician_a.id)[name]
    with session_scope() as session:
        before = row_counts(session)
    events = len(_events())
    with pytest.raises(NotFound), session_scope() as session:
        call(session, raw)  # type: ignore[operator]
    with session_scope() as session:
        assert row_counts(session) == before
    assert _events()[events:] == [(action, AuditOutcome.DENIED, db.client_a.id, None)]


def test_core_functions_take_an_id_as_text_too(db) -> None:
    entry_id = str(uuid.uuid4())
    with session_scope() as session:
        save_entry(session, owner_id=db.client_a.id, entry_id=entry_id, title="", body="words")
    with session_scope() as session:
        assert get_entry(session, owner_id=db.client_a.id, entry_id=entry_id)["body"] == "words"
        save_draft(session, owner_id=db.client_a.id, entry_id=entry_id.upper(), title="", body="draft")
    with session_scope() as session:
        for as_given in (entry_id, entry_id.upper(), uuid.UUID(entry_id)):
            draft = drafts.get(session, owner_id=db.client_a.id, item_id=as_given)
            assert draft is not None
            assert (draft.item_id, draft.fields["body"]) == (uuid.UUID(entry_id), "draft")
        opened = drafts.open_for_editing(
            session, owner_id=db.client_a.id, kind=journal.KIND, item_id=entry_id.upper(), issued=False
        )
        assert (opened.fields["body"], opened.from_draft) == ("draft", True)
