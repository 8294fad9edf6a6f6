"""Homework at the core: worksheets are data checked against one schema, every built-in
renders from its definition, bad input changes nothing, and what a clinician learns of a
client's work comes only through what the client returned."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from unit_support import People, audit_events, link, row_counts

from betterjournal import views
from betterjournal.core import drafts, homework, items, journal, sharing, worksheets
from betterjournal.core.errors import AnswersChangedElsewhere, BegunElsewhere, InvalidInput, NotFound
from betterjournal.db import session_scope
from betterjournal.i18n import ENGLISH, FRENCH, Reader
from betterjournal.models import Assignment, AuditAction, AuditOutcome, Version

TODAY = date(2026, 12, 1)
TABLES = ("assignment", "worksheet_template", "homework_response", "client_item", "item_share", "item_draft")


def _assign(db: People, **changes: Any) -> uuid.UUID:
    with session_scope() as session:
        values: dict[str, Any] = {
            "clinician_id": db.clinician_a.id,
            "client_id": db.client_a.id,
            "template": "builtin:thought_record",
            "today": TODAY,
        } | changes
        return homework.assign(session, **values)[0]


def _linked(db: People) -> None:
    with session_scope() as session:
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)


def _counts() -> dict[str, int]:
    with session_scope() as session:
        return row_counts(session, TABLES)


# --- worksheets are data ----------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(worksheets.BUILT_IN))
@pytest.mark.parametrize("language", [ENGLISH, FRENCH])
def test_every_built_in_template_renders_from_its_definition(key: str, language: str) -> None:
    sheet = worksheets.BUILT_IN[key]
    reader = Reader(language)
    # Its example is valid answers to it, and survives being stored.
    assert worksheets.clean_answers(sheet, sheet.example) == json.loads(
        worksheets.answers_json(sheet, sheet.example)
    )
    assert worksheets.from_json(worksheets.to_json(sheet)) is sheet
    filling = views.worksheet_fields(sheet, {}, reader)
    reading = views.worksheet_fields(sheet, sheet.example, reader, reading=True)
    assert [f.id for f in filling] == [f.id for f in reading] == [f.id for f in sheet.fields]
    for spec, shown in zip(sheet.fields, reading, strict=True):
        assert shown.label == reader.t(spec.label)
        assert shown.rows, f"{key}.{spec.id} shows nothing"
        cells = [cell for row in shown.rows for cell in row.cells]
        assert (
            all(cell.shown != "—" for cell in cells if cell.field != "activities") or spec.id == "activities"
        )
        if spec.type == worksheets.ROWS:
            assert len(shown.rows[0].cells) == len(spec.columns)
    # Every field is offered for filling in, empty.
    for shown in filling:
        assert all(
            cell.text == "" and cell.number == -1 and cell.flag == "" for r in shown.rows for cell in r.cells
        )


def test_a_custom_worksheet_is_checked_against_the_schema() -> None:
    good = {
        "title": "Walk",
        "fields": [{"label": "What I did", "type": "long_text"}, {"label": "How", "type": "scale_10"}],
    }
    sheet = worksheets.custom_definition(good)
    assert [(f.id, f.type) for f in sheet.fields] == [("f1", "long_text"), ("f2", "scale_10")]
    assert worksheets.from_json(worksheets.to_json(sheet)) == sheet
    field = {"label": "x", "type": "short_text"}
    bad = [
        ({"title": "Walk", "fields": []}, "Add at least one field"),
        (
            {"title": "Walk", "fields": [{"label": f"f{i}", "type": "short_text"} for i in range(500)]},
            "at most 40 fields",
        ),
        ({"title": "Walk", "fields": [field, dict(field)]}, "Two fields have the same name"),
        (
            {
                "title": "Walk",
                "fields": [{"label": "A", "type": "short_text"}, {"label": "a ", "type": "yes_no"}],
            },
            "Two fields have the same name",
        ),
        (
            {"title": "Walk", "fields": [{"label": "x", "type": "rows"}]},
            "Field 1: choose one of the field types",
        ),
        (
            {"title": "Walk", "fields": [{"label": "x", "type": "<script>"}]},
            "Field 1: choose one of the field types",
        ),
        ({"title": "Walk", "fields": [{"label": "x" * 201, "type": "short_text"}]}, "Field name is too long"),
        ({"title": "Walk", "fields": [{"label": "", "type": "short_text"}]}, "Field name can't be empty"),
        (
            {"title": "Walk", "fields": [{"label": "x", "type": "short_text", "code": "1"}]},
            "couldn't be saved",
        ),
        ({"title": "", "fields": [field]}, "Title can't be empty"),
        ({"fields": [field]}, "Title must be text"),
        ("not a worksheet", "couldn't be saved"),
    ]
    for data, message in bad:
        with pytest.raises(InvalidInput) as refused:
            worksheets.custom_definition(data)
        assert message in str(refused.value), data


@pytest.mark.parametrize(
    ("type_", "value", "message"),
    [
        ("short_text", 5, "must be text"),
        ("short_text", "x" * 301, "too long"),
        ("short_text", "two\nlines", "on one line"),
        ("long_text", ["x"], "must be text"),
        ("long_text", "x" * 5_001, "too long"),
        ("long_text", "bad \x00 char", "can't be saved"),
        ("scale_10", 11, "from 0 to 10"),
        ("scale_10", -1, "from 0 to 10"),
        ("scale_10", 5.5, "from 0 to 10"),
        ("scale_10", True, "from 0 to 10"),
        ("scale_10", "5", "from 0 to 10"),
        ("slider_100", 101, "from 0 to 100"),
        ("slider_100", "abc", "from 0 to 100"),
        ("slider_100", "1e2", "from 0 to 100"),
        ("yes_no", "yes", "choose yes or no"),
        ("yes_no", 1, "choose yes or no"),
        ("date", "2026-13-01", "choose a date"),
        ("date", "tomorrow", "choose a date"),
        ("date", 20261201, "choose a date"),
        ("list", "not a list", "at most 20 items"),
        ("list", ["x"] * 21, "at most 20 items"),
        ("list", [5], "must be text"),
    ],
)
def test_every_field_type_refuses_what_it_cannot_hold(type_: str, value: object, message: str) -> None:
    spec = worksheets.Field("f1", type_, "Answer")
    with pytest.raises(InvalidInput) as refused:
        worksheets.clean_value(spec, value)
    assert message in str(refused.value)


def test_answers_of_every_type_are_kept_as_given() -> None:
    spec = worksheets.custom_definition(
        {"title": "All", "fields": [{"label": t, "type": t} for t in worksheets.CUSTOM_TYPES]}
    )
    answers = {
        "f1": "short",
        "f2": "long\ntext",
        "f3": 0,
        "f4": "55",
        "f5": False,
        "f6": "2026-12-03",
        "f7": ["a", "b"],
    }
    assert worksheets.clean_answers(spec, answers) == answers | {"f4": 55}
    with pytest.raises(InvalidInput):
        worksheets.clean_answers(spec, {"unknown": "x"})
    rows = worksheets.ACTIVITY_SCHEDULING
    with pytest.raises(InvalidInput):
        worksheets.clean_answers(rows, {"activities": [{"activity": "x", "sneaky": "y"}]})
    assert worksheets.clean_answers(rows, {"activities": [{"done": True, "mastery": 3}]}) == {
        "activities": [{"done": True, "mastery": 3}]
    }


# --- assigning -----------------------------------------------------------------------------------


def test_one_answer_lands_in_its_place_and_a_rating_tapped_again_as_shown_clears() -> None:
    """`worksheets.answer_given`, the one way an answer is put into its field (the
    websocket's and the closing tab's): a field's own control, a list's item (items before
    it added empty), a row's cell (other cells kept). Rows another tab added or removed
    since: the row typed into is found where it is now, or kept as a row of its own; no
    one's words are written over. A rating tapped again clears it when the person sees it
    chosen, judged by what their screen shows (another tab may have changed it since:
    then the tap sets it)."""
    grounding, activities = worksheets.GROUNDING, worksheets.ACTIVITY_SCHEDULING
    held: dict[str, Any] = {"when_where": "On the bus", "distress_before": 7, "seen": ["a red coat"]}
    given = worksheets.answer_given
    assert given(grounding, held, "when_where", -1, "", "At home") == "At home"
    assert given(grounding, held, "seen", 2, "", "a tree") == ["a red coat", "", "a tree"]
    assert given(grounding, held, "distress_before", -1, "", 7) is None  # seen chosen: cleared
    assert given(grounding, held, "distress_before", -1, "", 7, shown={"distress_before": 5}) == 7
    assert given(grounding, held, "distress_before", -1, "", 4) == 4
    row = {"activity": "Walk", "mastery": 6}
    planned = {"activities": [row]}
    assert given(activities, planned, "activities", 0, "when", "Monday") == [{**row, "when": "Monday"}]
    assert given(activities, planned, "activities", 0, "mastery", 6) == [{**row, "mastery": None}]
    assert given(activities, planned, "activities", 0, "mastery", 6, shown={}) == [row]
    assert given(activities, planned, "activities", 1, "activity", "Call") == [row, {"activity": "Call"}]
    # Another tab changed the list since this one drew it: the row typed into is found where
    # it is held now, and one no longer held is kept as a row of its own.
    shown = {"seen": ["a red coat", "a tree"]}
    assert given(grounding, {"seen": ["a tree"]}, "seen", 1, "", "a tall tree", shown=shown) == [
        "a tall tree"
    ]
    assert given(grounding, {"seen": ["a tree"]}, "seen", 0, "", "a red hat", shown=shown) == [
        "a tree",
        "a red hat",
    ]
    elsewhere = {"seen": ["a red coat", "a tree by the road"]}
    assert given(grounding, elsewhere, "seen", 1, "", "a pine", shown=shown) == [
        "a red coat",
        "a tree by the road",
        "a pine",
    ]
    assert given(grounding, elsewhere, "seen", 0, "", "a coat", shown=shown) == [
        "a coat",
        "a tree by the road",
    ]
    moved = {"activities": [{"activity": "Call"}, row]}
    assert given(activities, moved, "activities", 0, "when", "Monday", shown=planned) == [
        {"activity": "Call"},
        {**row, "when": "Monday"},
    ]
    assert held == {"when_where": "On the bus", "distress_before": 7, "seen": ["a red coat"]}  # untouched
    for field, row_number, column in (
        ("nope", -1, ""),
        ("seen", -1, ""),
        ("seen", worksheets.ITEMS_MAX, ""),
        ("seen", "1", ""),
        ("activities", 0, "nope"),
    ):
        with pytest.raises(InvalidInput):
            given(grounding if field != "activities" else activities, held, field, row_number, column, "x")


def test_a_row_added_or_removed_keeps_what_another_tab_changed() -> None:
    """ "Add another" adds after the rows held (another tab's new row stays) and the rows the
    person sees; "Remove" takes the row they see, where it is held now, and leaves one
    changed elsewhere since (its words are someone's) or already gone."""
    grounding = worksheets.GROUNDING
    added, removed = worksheets.row_added, worksheets.row_removed
    assert added(grounding, {}, "seen", drawn=1) == ["", ""]
    assert added(grounding, {"seen": ["a", "b"]}, "seen", drawn=1) == ["a", "b", ""]
    full = {"seen": ["x"] * worksheets.ITEMS_MAX}
    with pytest.raises(InvalidInput, match="at most"):
        added(grounding, full, "seen")
    shown = {"seen": ["a", "b", "c"]}
    assert removed(grounding, shown, "seen", 1) == ["a", "c"]
    assert removed(grounding, {"seen": ["b", "c"]}, "seen", 1, shown=shown) == ["c"]  # "a" removed elsewhere
    assert removed(grounding, {"seen": ["a", "b!", "c"]}, "seen", 1, shown=shown) == ["a", "b!", "c"]
    assert removed(grounding, {"seen": ["a", "c"]}, "seen", 1, shown=shown) == ["a", "c"]  # gone already
    assert removed(grounding, shown, "seen", 7) == ["a", "b", "c"]
    for field, row in (("when_where", 0), ("seen", "1"), ("nope", 0)):
        with pytest.raises(InvalidInput):
            removed(grounding, shown, field, row)


def test_a_draft_keeps_text_a_fifth_past_its_limit_and_says_the_real_limit_beyond() -> None:
    """Walk-through: 5,320 characters pasted into an answer were lost on reload (refused as
    they autosaved). A draft keeps up to a fifth more, as the journal's do; saving doesn't."""
    long, short = worksheets.Field("e", "long_text", "Evidence"), worksheets.Field("s", "short_text", "Name")
    clean = worksheets.clean_value
    assert clean(long, "x" * 6_000, draft=True) == "x" * 6_000
    assert clean(short, "x" * 360, draft=True) == "x" * 360
    for spec, text, limit in ((long, "x" * 5_001, "5,000"), (short, "x" * 301, "300")):
        with pytest.raises(InvalidInput, match=f"limit is {limit} characters"):
            clean(spec, text)
        with pytest.raises(InvalidInput, match=f"limit is {limit} characters"):
            clean(spec, text * 2, draft=True)  # past the draft's too: the limit to shorten it to
    # Other answers are as strict in a draft (a slider's position, a date).
    assert clean(worksheets.Field("b", "slider_100", "Belief"), "55", draft=True) == 55
    assert clean(worksheets.Field("d", "date", "Day"), "2026-12-01", draft=True) == "2026-12-01"
    record = worksheets.THOUGHT_RECORD
    answers = {"thoughts": ["y" * 350], "emotions": [{"emotion": "z" * 350}]}
    assert worksheets.clean_answers(record, answers, draft=True) == answers
    with pytest.raises(InvalidInput, match="too long"):
        worksheets.clean_answers(record, answers)


def test_emotions_now_start_from_the_emotions_named_above_once_each() -> None:
    """Walk-through: "Emotions now" says "the same emotions, rated again", and its first row
    was empty: the client typed "Shame" again. Its button brings each name not there yet;
    rows already answered stay, empty ones make way."""
    record, carried = worksheets.THOUGHT_RECORD, worksheets.rows_carried
    named = {"emotions": [{"emotion": "Shame", "intensity": 80}, {"emotion": " sad "}, {"intensity": 20}]}
    assert carried(record, named, "emotions_after") == [{"emotion": "Shame"}, {"emotion": "sad"}]
    rated = {**named, "emotions_after": [{}, {"emotion": "SHAME", "intensity": 40}]}
    assert carried(record, rated, "emotions_after") == [
        {"emotion": "SHAME", "intensity": 40},
        {"emotion": "sad"},
    ]
    everything = {**named, "emotions_after": [{"emotion": "Shame"}, {"emotion": "Sad"}]}
    for answers in ({}, everything):
        with pytest.raises(InvalidInput, match="nothing new in “Emotions”"):
            carried(record, answers, "emotions_after")
    for field in ("emotions", "situation", "nope"):  # no field to bring to it
        with pytest.raises(InvalidInput, match="couldn't be saved"):
            carried(record, named, field)
    many = {"emotions": [{"emotion": f"E{n}"} for n in range(worksheets.ITEMS_MAX + 5)]}
    assert len(carried(record, many, "emotions_after")) == worksheets.ITEMS_MAX


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"due_on": "2026-11-30"}, "The due date is in the past."),
        ({"due_on": "someday"}, "Choose a due date"),
        ({"repeat": "weekly", "times": 0, "due_on": "2026-12-02"}, "Repeat it from 1 to 30 times."),
        ({"repeat": "weekly", "times": 10_000, "due_on": "2026-12-02"}, "Repeat it from 1 to 30 times."),
        ({"repeat": "daily", "times": 3}, "Choose the first due date"),
        ({"repeat": "hourly", "times": 3, "due_on": "2026-12-02"}, "Choose how often it repeats."),
        ({"template": "builtin:nope"}, "Choose a worksheet from the list."),
        ({"template": "custom:" + str(uuid.uuid4())}, "Choose a worksheet from the list."),
        ({"template": "prompt", "questions": []}, "Write at least one question."),
        ({"template": "prompt", "questions": ["q"] * 6}, "at most 5 questions"),
        ({"instructions": "x" * 2_001}, "Instructions is too long"),
        ({"note": 12}, "must be text"),
    ],
)
def test_bad_assignments_get_a_clear_message_and_change_nothing(
    db: People, changes: dict, message: str
) -> None:
    _linked(db)
    before = _counts()
    with pytest.raises(InvalidInput) as refused:
        _assign(db, **changes)
    assert message in str(refused.value)
    assert _counts() == before


def test_a_repeat_makes_one_assignment_per_time_with_its_due_date(db: People) -> None:
    _linked(db)
    with session_scope() as session:
        made = homework.assign(
            session,
            clinician_id=db.clinician_a.id,
            client_id=db.client_a.id,
            template="builtin:grounding",
            due_on="2026-12-02",
            repeat="weekly",
            times=3,
            today=TODAY,
        )
        tasks = homework.to_do(session, client_id=db.client_a.id)
    assert len(made) == 3
    assert [t.due_on for t in tasks] == [date(2026, 12, 2), date(2026, 12, 9), date(2026, 12, 16)]


def test_a_repeat_is_one_line_of_the_to_do_list_its_next_copy_with_those_after_it(db: People) -> None:
    """Three weekly copies listed one under the other read as three things due now (a
    walk-through): the list shows the first copy to do, saying how many come after it and
    when the next is due; once it is returned, the next copy is the line."""
    _linked(db)
    _assign(db, template="builtin:grounding", due_on="2026-12-02", repeat="weekly", times=3)
    once = _assign(db, template="builtin:thought_record", due_on="2026-12-05")
    with session_scope() as session:
        listed = homework.next_of_each_series(homework.to_do(session, client_id=db.client_a.id))
    assert [(t.due_on, later) for t, later in listed] == [
        (date(2026, 12, 2), [date(2026, 12, 9), date(2026, 12, 16)]),
        (date(2026, 12, 5), []),
    ]
    english = [views.task_line(t, Reader(ENGLISH), TODAY, later) for t, later in listed]
    assert english[0].then == "Repeats 2 more times after this one, the next due Dec 9."
    assert english[1].then == "" and str(listed[1][0].id) == str(once)
    french = views.task_line(listed[0][0], Reader(FRENCH), TODAY, [date(2026, 12, 16)])
    assert french.then == "Revient encore 1 fois après celui-ci, pour le 16 déc."


def test_the_to_do_list_is_in_due_date_order_started_first_on_the_same_day(db: People) -> None:
    """A walk-through: with "started first" whatever the date, a prompt begun and due in
    three days headed the list above a practice due tomorrow, which a tired client missed."""
    _linked(db)
    begun_later = _assign(db, template="builtin:thought_record", due_on="2026-12-04")
    tomorrow = _assign(db, template="builtin:grounding", due_on="2026-12-02")
    new_same_day = _assign(db, template="builtin:grounding", due_on="2026-12-04")
    begun_same_day = _assign(db, template="builtin:thought_record", due_on="2026-12-04")
    undated = _assign(db, template="builtin:grounding")
    begun_undated = _assign(db, template="builtin:thought_record")
    for begun in (begun_later, begun_same_day, begun_undated):
        _save_answers(db, begun, uuid.uuid4(), {"situation": "x"}, return_it=False)
    with session_scope() as session:
        listed = [uuid.UUID(t.id) for t in homework.to_do(session, client_id=db.client_a.id)]
        first_two = [uuid.UUID(t.id) for t in homework.to_do(session, client_id=db.client_a.id, limit=2)]
    # Dec 2; Dec 4 begun (the older first), then not begun; no date, begun first.
    assert listed == [tomorrow, begun_later, begun_same_day, new_same_day, begun_undated, undated]
    assert first_two == [tomorrow, begun_later]


def test_a_new_comment_is_listed_until_the_client_opens_it_and_again_once_changed(db: People) -> None:
    """A walk-through: a comment showed only under Homework, "Returned"; the home page now
    lists the ones not opened since they were written or changed."""
    assignment, response = _returned(db, "x")
    other, _ = _returned(db, "y")

    def new_ones() -> list[str]:
        with session_scope() as session:
            return [t.id for t in homework.new_comments(session, client_id=db.client_a.id, limit=3)]

    def comment(text: str, on: uuid.UUID = assignment) -> None:
        with session_scope() as session:
            homework.comment(session, clinician_id=db.clinician_a.id, assignment_id=on, text=text)

    def open_it() -> homework.OpenTask:
        with session_scope() as session:
            return homework.open_task(session, client_id=db.client_a.id, assignment_id=assignment)

    assert new_ones() == []
    comment("Well done")
    assert new_ones() == [str(assignment)]
    line = views.task_line(homework_task(db, assignment), Reader(ENGLISH), TODAY)
    assert line.status == "New comment from your clinician"
    assert views.task_line(homework_task(db, assignment), Reader(FRENCH), TODAY).status == (
        "Nouveau commentaire de votre clinicien·ne"
    )
    with sharing.unseen_held_back():  # a page redrawn by a push: nobody may be looking
        assert open_it().comment == "Well done"
    assert new_ones() == [str(assignment)]
    assert open_it().comment == "Well done"
    assert new_ones() == []
    comment("Well done")  # saved again as it was: not new again
    assert new_ones() == []
    assert views.task_line(homework_task(db, assignment), Reader(ENGLISH), TODAY).status == (
        "Your clinician left you a comment"
    )
    comment("Well done, and one more thought")
    comment("On the other one too", on=other)
    assert new_ones() == [str(other), str(assignment)]  # the latest first
    # Taken back (unshared), a comment is no longer shown, so not listed either.
    with session_scope() as session:
        sharing.set_shared(
            session, owner_id=db.client_a.id, item_id=response, clinician_id=db.clinician_a.id, shared=False
        )
    assert new_ones() == [str(other)]
    # Opened while taken back, the comment is on screen all the same: returned again
    # unchanged, it is not new (a walk-through).
    assert open_it().comment == "Well done, and one more thought"
    _return_answers(db, assignment, response)
    assert new_ones() == [str(other)]


def test_a_prompt_is_called_by_its_question_on_every_card() -> None:
    """A walk-through: two prompts' cards both read "Journaling prompt", and the client
    couldn't tell whose comment was whose."""
    prompt = worksheets.prompt(["What helped this week?", "What got in the way?"])
    assert views.assignment_title(prompt, Reader(ENGLISH)) == "Journaling prompt: What helped this week?"
    assert (
        views.assignment_title(prompt, Reader(FRENCH)) == "Question d'écriture\u00a0: What helped this week?"
    )
    library = worksheets.library_prompt(0)  # in the reader's language
    french_question = str(Reader(FRENCH).shown(worksheets.PROMPT_LIBRARY[0]))
    assert views.assignment_title(library, Reader(FRENCH)) == f"Question d'écriture\u00a0: {french_question}"
    assert views.assignment_title(worksheets.BUILT_IN["thought_record"], Reader(ENGLISH)) == "Thought record"


def homework_task(db: People, assignment: uuid.UUID) -> homework.Task:
    with session_scope() as session:
        return homework.task(session, client_id=db.client_a.id, assignment_id=assignment)


def test_a_clinician_cannot_assign_to_a_client_they_are_not_linked_to(db: People) -> None:
    before = _counts()
    with pytest.raises(NotFound):
        _assign(db)
    assert _counts() == before
    with session_scope() as session:
        last = audit_events(session)[-1]
    assert (last.action, last.outcome, last.actor_id) == (
        AuditAction.ASSIGN,
        AuditOutcome.DENIED,
        db.clinician_a.id,
    )


def test_what_a_clinician_writes_is_sealed_under_the_clients_key(db: People) -> None:
    _linked(db)
    assignment = _assign(db, instructions="INSTRUCTIONS-MARKER", note="NOTE-MARKER")
    with session_scope() as session:
        row = session.get(Assignment, assignment)
        assert row is not None
        blobs = b"".join(b for b in (row.worksheet_ct, row.instructions_ct, row.note_ct) if b)
    assert b"MARKER" not in blobs and b"thought_record" not in blobs
    with session_scope() as session:
        opened = homework.open_task(session, client_id=db.client_a.id, assignment_id=assignment)
    assert (opened.instructions, opened.note) == ("INSTRUCTIONS-MARKER", "NOTE-MARKER")


# --- returning, and what the clinician sees ---------------------------------------------------------


def _statuses(db: People, clinician: Any = None) -> list[str]:
    with session_scope() as session:
        return [
            g.status
            for g in homework.given_to(
                session, clinician_id=clinician or db.clinician_a.id, client_id=db.client_a.id, today=TODAY
            )
        ]


def test_the_clinicians_list_shows_the_soonest_due_first(db: People) -> None:
    """Walk-through: the clinician's list of a client's homework was in the order assigned,
    so this week's came after next month's. Still to do: the soonest due first, none due last."""
    _linked(db)
    made = {due: _assign(db, due_on=due) for due in ("2026-12-20", "", "2026-12-03", "2026-12-10")}
    with session_scope() as session:
        listed = homework.given_to(
            session, clinician_id=db.clinician_a.id, client_id=db.client_a.id, today=TODAY
        )
    soonest_first = ("2026-12-03", "2026-12-10", "2026-12-20", "")
    assert [g.id for g in listed] == [str(made[due]) for due in soonest_first]


def test_a_response_is_invisible_to_the_clinician_until_returned(db: People) -> None:
    _linked(db)
    assignment = _assign(db, due_on="2026-12-03")
    response = uuid.uuid4()
    answers = {"situation": "PRIVATE-ANSWER"}
    with session_scope() as session:  # started: a draft
        homework.keep_change(
            session,
            client_id=db.client_a.id,
            item_id=response,
            assignment_id=assignment,
            worksheet=None,
            change=lambda *_: answers,
        )
    assert _statuses(db) == ["assigned"]
    with session_scope() as session:  # completed and kept private
        homework.save_response(
            session,
            client_id=db.client_a.id,
            item_id=response,
            assignment_id=assignment,
            worksheet=None,
            answers=answers,
        )
        assert [t.status for t in homework.to_do(session, client_id=db.client_a.id)] == ["started"]
    assert _statuses(db) == ["assigned"]
    with session_scope() as session:
        assert homework.to_review(session, clinician_id=db.clinician_a.id) == []
    with pytest.raises(NotFound), session_scope() as session:
        homework.open_returned(session, clinician_id=db.clinician_a.id, assignment_id=assignment, today=TODAY)
    with session_scope() as session:
        denied = audit_events(session)[-1]
        assert (denied.action, denied.outcome, denied.item_id) == (
            AuditAction.VIEW_SHARED_ITEM,
            AuditOutcome.DENIED,
            response,
        )
        assert sharing.visible_item_ids(session, clinician_id=db.clinician_a.id) == set()

    _return_answers(db, assignment, response, answers)  # returned: now, and only now
    with session_scope() as session:
        assert [
            (w.assignment_id, w.not_done) for w in homework.to_review(session, clinician_id=db.clinician_a.id)
        ] == [(str(assignment), False)]
    with session_scope() as session:
        opened = homework.open_returned(
            session, clinician_id=db.clinician_a.id, assignment_id=assignment, today=TODAY
        )
    assert opened.answers == answers
    assert _statuses(db) == ["returned"]
    # Another clinician (not linked, not theirs) reads nothing.
    with pytest.raises(NotFound), session_scope() as session:
        homework.open_returned(session, clinician_id=db.clinician_b.id, assignment_id=assignment, today=TODAY)
    with pytest.raises(NotFound):
        _statuses(db, db.clinician_b.id)

    # Un-returned (a revoke): invisible again; a comment is refused.
    with session_scope() as session:
        sharing.set_shared(
            session, owner_id=db.client_a.id, item_id=response, clinician_id=db.clinician_a.id, shared=False
        )
    assert _statuses(db) == ["assigned"]
    with pytest.raises(NotFound), session_scope() as session:
        homework.comment(session, clinician_id=db.clinician_a.id, assignment_id=assignment, text="Nice")


def test_comment_and_review_reach_the_client_and_stop_edits(db: People) -> None:
    _linked(db)
    assignment = _assign(db)
    response = uuid.uuid4()
    _return_answers(db, assignment, response, {"situation": "x"})
    with session_scope() as session:
        homework.comment(
            session, clinician_id=db.clinician_a.id, assignment_id=assignment, text="COMMENT-MARKER"
        )
        homework.mark_reviewed(session, clinician_id=db.clinician_a.id, assignment_id=assignment)
    with session_scope() as session:
        row = session.get(Assignment, assignment)
        assert row is not None and row.comment_ct is not None and b"COMMENT-MARKER" not in row.comment_ct
        opened = homework.open_task(session, client_id=db.client_a.id, assignment_id=assignment)
    assert (opened.comment, opened.task.status) == ("COMMENT-MARKER", "reviewed")
    for change in (
        lambda s: homework.edit_assignment(
            s,
            clinician_id=db.clinician_a.id,
            assignment_id=assignment,
            instructions="new",
            note="",
            due_on="",
            today=TODAY,
        ),
        lambda s: homework.withdraw(s, clinician_id=db.clinician_a.id, assignment_id=assignment),
    ):
        with pytest.raises(InvalidInput, match="returned it"), session_scope() as session:
            change(session)
    with pytest.raises(InvalidInput), session_scope() as session:
        homework.comment(session, clinician_id=db.clinician_a.id, assignment_id=assignment, text="")


def test_a_reviewed_response_changed_by_the_client_is_to_review_again(db: People) -> None:
    """A walk-through: the client added a line to a reviewed thought record and both pages
    still said "Reviewed"; the clinician's lists said nothing. Changed, it is back to review
    (the comment stays); saved as it was, it stays reviewed."""
    _linked(db)
    assignment = _assign(db)
    response = uuid.uuid4()
    _return_answers(db, assignment, response, {"situation": "the meeting"})
    with session_scope() as session:
        homework.comment(session, clinician_id=db.clinician_a.id, assignment_id=assignment, text="Thank you")
        homework.mark_reviewed(session, clinician_id=db.clinician_a.id, assignment_id=assignment)
    assert _statuses(db) == ["reviewed"]

    # "Save changes": a returned response, saved again; first as it was (nothing new to see)
    _save_answers(db, assignment, response, {"situation": "the meeting"}, return_it=False)
    assert _statuses(db) == ["reviewed"]
    changed = {"situation": "the meeting. Also: I asked him, and the report was fine."}
    _save_answers(db, assignment, response, changed, return_it=False)
    assert _statuses(db) == ["returned"]
    with session_scope() as session:
        assert [w.assignment_id for w in homework.to_review(session, clinician_id=db.clinician_a.id)] == [
            str(assignment)
        ]
        opened = homework.open_task(session, client_id=db.client_a.id, assignment_id=assignment)
    assert (opened.task.status, opened.comment) == ("returned", "Thank you")


def test_a_reviewed_prompt_answer_changed_in_the_journal_editor_is_to_review_again(db: People) -> None:
    """A prompt's answer is a journal entry: changed from the journal's editor, the same as
    from the worksheet (a review of the change above)."""
    from betterjournal.state.journal import _save_and_open

    _linked(db)
    assignment = _assign(db, template="prompt", questions=["What went well this week?"])
    response = uuid.uuid4()
    _return_answers(db, assignment, response, {"answer": "A walk on Sunday."})
    with session_scope() as session:
        homework.mark_reviewed(session, clinician_id=db.clinician_a.id, assignment_id=assignment)

    def edit(body: str) -> None:
        with session_scope() as session:
            entry = items.open_own(session, owner_id=db.client_a.id, kind=journal.KIND, item_id=response)
            _save_and_open(
                session,
                owner_id=db.client_a.id,
                item_id=response,
                values={**entry.fields, "body": body},
                based_on=Version(entry.updated_at),
            )

    edit("A walk on Sunday.")
    assert _statuses(db) == ["reviewed"]
    edit("A walk on Sunday, and a call with my sister.")
    assert _statuses(db) == ["returned"]


def test_couldnt_do_it_is_private_until_returned(db: People) -> None:
    _linked(db)
    assignment = _assign(db)
    response = uuid.uuid4()
    _mark_not_done(db, assignment, response, return_it=False, reasons=["too_long"])
    assert _statuses(db) == ["assigned"]
    with session_scope() as session:
        assert [t.status for t in homework.to_do(session, client_id=db.client_a.id)] == ["not_done"]
    _mark_not_done(db, assignment, response, return_it=True, reasons=["too_long"])
    assert _statuses(db) == ["not_done"]
    with session_scope() as session:  # the clinician's list of what to review says so
        assert [
            (w.assignment_id, w.not_done) for w in homework.to_review(session, clinician_id=db.clinician_a.id)
        ] == [(str(assignment), True)]
    with pytest.raises(InvalidInput):
        _mark_not_done(db, assignment, response, return_it=True, reasons=["bored"])


def _mark_not_done(
    db: People, assignment: uuid.UUID, response: uuid.UUID, *, return_it: bool, reasons: Any = ("upsetting",)
) -> None:
    with session_scope() as session:
        homework.not_done(
            session,
            client_id=db.client_a.id,
            item_id=response,
            assignment_id=assignment,
            reasons=list(reasons),
            return_it=return_it,
        )


def _save_answers(
    db: People, assignment: uuid.UUID, response: uuid.UUID, answers: Any = None, *, return_it: bool
) -> None:
    """Client A saves the response (and returns it): `answers`, else what the server holds
    (its draft)."""
    with session_scope() as session:
        homework.save_response(
            session,
            client_id=db.client_a.id,
            item_id=response,
            assignment_id=assignment,
            worksheet=None,
            answers=answers,
            return_it=return_it,
        )


def _return_answers(db: People, assignment: uuid.UUID, response: uuid.UUID, answers: Any = None) -> None:
    _save_answers(db, assignment, response, answers, return_it=True)


def _returned(db: People, situation: str) -> tuple[uuid.UUID, uuid.UUID]:
    """Client A, linked, answers an assignment and returns it: (the assignment, its response)."""
    _linked(db)
    assignment = _assign(db)
    response = uuid.uuid4()
    _own(db, response, assignment, situation=situation)
    _return_answers(db, assignment, response)
    return assignment, response


def _as_the_clinician_reads_it(db: People, assignment: uuid.UUID) -> tuple[bool, bool, list[str], dict]:
    """(on the list to review as "couldn't do it", the response's own flag, reasons, answers)."""
    with session_scope() as session:
        (waiting,) = homework.to_review(session, clinician_id=db.clinician_a.id)
        opened = homework.open_returned(
            session, clinician_id=db.clinician_a.id, assignment_id=assignment, today=TODAY
        )
    return waiting.not_done, opened.given.not_done, opened.reasons, opened.answers


def test_a_returned_card_says_when_it_was_returned(db: People) -> None:
    """A walk-through: the client's returned card said "Returned", with no date."""
    _returned(db, situation="Done.")
    with session_scope() as session:
        (task,) = homework.returned_tasks(session, client_id=db.client_a.id)
    assert task.returned_at is not None
    line = views.task_line(task, Reader(ENGLISH), TODAY)
    assert (line.status, line.due) == ("Returned", f"Returned on {Reader(ENGLISH).day(task.returned_at)}")
    french = Reader(FRENCH)
    assert views.task_line(task, french, TODAY).due == f"Remis le {french.day(task.returned_at)}"


def test_answers_returned_after_a_private_couldnt_do_it_replace_it(db: People) -> None:
    """Marked "couldn't do it" and kept private, then answered after all and returned: the
    clinician gets the answers, with no word of the private mark (before: "Sam couldn't do
    it", its reason, then the answers)."""
    _linked(db)
    assignment = _assign(db)
    response = uuid.uuid4()
    _mark_not_done(db, assignment, response, return_it=False)
    _own(db, response, assignment, situation="I did it after all.")
    _return_answers(db, assignment, response)
    told, flagged, reasons, answers = _as_the_clinician_reads_it(db, assignment)
    assert (told, flagged, reasons) == (False, False, [])
    assert answers["situation"] == "I did it after all."
    assert _statuses(db) == ["returned"]


def test_returning_with_nothing_written_keeps_the_couldnt_do_it(db: People) -> None:
    _linked(db)
    assignment = _assign(db)
    response = uuid.uuid4()
    _mark_not_done(db, assignment, response, return_it=False)
    _return_answers(db, assignment, response)
    assert _as_the_clinician_reads_it(db, assignment)[:3] == (True, True, ["upsetting"])
    assert _statuses(db) == ["not_done"]


def test_a_worksheet_with_nothing_written_is_not_returned(db: People) -> None:
    """Before, "Return to my clinician" on an empty worksheet returned it: the clinician
    opened nothing. Now it asks for an answer or "I couldn't do it", and shares nothing."""
    _linked(db)
    assignment = _assign(db)
    response = uuid.uuid4()
    _own(db, response, assignment, situation="   ")
    with pytest.raises(InvalidInput, match="Write an answer first"):
        _return_answers(db, assignment, response)
    assert _statuses(db) == ["assigned"]
    with session_scope() as session:
        assert homework.to_review(session, clinician_id=db.clinician_a.id) == []


def test_what_waits_for_review_heads_the_clinicians_list(db: People) -> None:
    """Newest first, except what was returned and not reviewed yet: before, an older return
    sat below every newer open assignment."""
    _linked(db)
    older = _assign(db)
    _own(db, response := uuid.uuid4(), older, situation="Done.")
    _return_answers(db, older, response)
    _assign(db)
    _assign(db)
    assert _statuses(db) == ["returned", "assigned", "assigned"]


def test_a_tab_left_open_cannot_mark_a_returned_response_privately(db: People) -> None:
    """Returned in one tab; "I couldn't do it", "Keep it private" in a tab opened before:
    refused, and what the clinician sees is unchanged (before, the mark went into it)."""
    assignment, response = _returned(db, situation="Returned answers.")
    before = _as_the_clinician_reads_it(db, assignment)
    with pytest.raises(InvalidInput, match="returned to your clinician meanwhile"):
        _mark_not_done(db, assignment, response, return_it=False)
    assert _as_the_clinician_reads_it(db, assignment) == before
    assert before[:3] == (False, False, [])


def test_a_client_cannot_answer_another_clients_assignment(db: People) -> None:
    _linked(db)
    assignment = _assign(db)
    before = _counts()
    for call in (
        lambda s: homework.keep_change(
            s,
            client_id=db.client_b.id,
            item_id=uuid.uuid4(),
            assignment_id=assignment,
            worksheet=None,
            change=lambda *_: {},
        ),
        lambda s: homework.save_response(
            s,
            client_id=db.client_b.id,
            item_id=uuid.uuid4(),
            assignment_id=assignment,
            worksheet=None,
            answers={},
        ),
        lambda s: homework.open_task(s, client_id=db.client_b.id, assignment_id=assignment),
    ):
        with pytest.raises(NotFound), session_scope() as session:
            call(session)
        with session_scope() as session:
            last = audit_events(session)[-1]
        assert (last.actor_id, last.outcome, last.item_id) == (
            db.client_b.id,
            AuditOutcome.DENIED,
            assignment,
        )
    assert _counts() == before


def test_withdrawn_homework_leaves_the_clients_list(db: People) -> None:
    _linked(db)
    assignment = _assign(db)
    with session_scope() as session:
        homework.withdraw(session, clinician_id=db.clinician_a.id, assignment_id=assignment)
    with session_scope() as session:
        assert homework.to_do(session, client_id=db.client_a.id) == []
        assert homework.returned_tasks(session, client_id=db.client_a.id) == []
    with pytest.raises(NotFound), session_scope() as session:
        homework.open_task(session, client_id=db.client_a.id, assignment_id=assignment)


def test_due_dates_read_in_plain_words() -> None:
    english, french = Reader(ENGLISH), Reader(FRENCH)
    thursday = date(2026, 12, 3)
    assert homework.due_text(english, thursday, thursday) == "Due today"
    assert homework.due_text(english, thursday, thursday - timedelta(days=1)) == "Due tomorrow"
    assert homework.due_text(english, thursday, thursday - timedelta(days=3)) == "Due Thursday"
    assert homework.due_text(french, thursday, thursday - timedelta(days=3)) == french.t(
        "Due {weekday}", weekday="jeudi"
    )
    assert homework.due_text(english, thursday, thursday + timedelta(days=1)).startswith("Was due")
    assert homework.due_text(english, None, thursday) == "No due date"


def test_a_clinicians_library_is_their_own(db: People) -> None:
    definition = {"title": "Walk", "fields": [{"label": "What", "type": "long_text"}]}
    with session_scope() as session:
        template = homework.save_template(session, clinician_id=db.clinician_a.id, definition=definition)
    with session_scope() as session:
        assert [
            t.worksheet.title for t in homework.templates_of(session, clinician_id=db.clinician_a.id)
        ] == ["Walk"]
        assert homework.templates_of(session, clinician_id=db.clinician_b.id) == []
    with pytest.raises(NotFound), session_scope() as session:
        homework.remove_template(session, clinician_id=db.clinician_b.id, template_id=template)
    with session_scope() as session:  # another clinician can't assign it either
        link(session, client_id=db.client_a.id, clinician_id=db.clinician_b.id)
    with pytest.raises(InvalidInput):
        _assign(db, clinician_id=db.clinician_b.id, template=f"custom:{template}")


def test_data_about_assignments_is_in_the_phi_tables() -> None:
    from betterjournal.models import PHI_TABLES

    assert {"assignment", "homework_response", "worksheet_template"} <= set(PHI_TABLES)


def test_a_deleted_answer_lets_the_homework_start_afresh(db: People) -> None:
    from betterjournal.core import items

    _linked(db)
    assignment = _assign(db)
    response = uuid.uuid4()
    with session_scope() as session:
        homework.save_response(
            session,
            client_id=db.client_a.id,
            item_id=response,
            assignment_id=assignment,
            worksheet=None,
            answers={"situation": "x"},
        )
    with session_scope() as session:
        items.delete_item(session, owner_id=db.client_a.id, item_id=response)
    with session_scope() as session:
        opened = homework.open_task(session, client_id=db.client_a.id, assignment_id=assignment)
    assert (opened.task.status, opened.task.response_id, opened.answers) == ("assigned", "", {})


def test_the_clients_own_exercises_leave_out_what_answers_an_assignment(db: People) -> None:
    _linked(db)
    assignment = _assign(db)
    own, drafted, answered = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    sheet = worksheets.BUILT_IN["grounding"]
    with session_scope() as session:
        homework.save_response(
            session,
            client_id=db.client_a.id,
            item_id=own,
            assignment_id=None,
            worksheet=sheet,
            answers={"when_where": "bus"},
        )
        homework.keep_change(
            session,
            client_id=db.client_a.id,
            item_id=drafted,
            assignment_id=None,
            worksheet=sheet,
            change=lambda *_: {"seen": ["a"]},
        )
        homework.save_response(
            session,
            client_id=db.client_a.id,
            item_id=answered,
            assignment_id=assignment,
            worksheet=None,
            answers={},
        )
        homework.keep_change(
            session,
            client_id=db.client_a.id,
            item_id=answered,
            assignment_id=assignment,
            worksheet=None,
            change=lambda *_: {"situation": "x"},
        )
    with session_scope() as session:
        saved, unsaved = homework.own_exercises(session, client_id=db.client_a.id)
        assert homework.own_exercises(session, client_id=db.client_b.id) == ([], [])
    assert [item.id for item in saved] == [own]
    assert [draft.item_id for draft in unsaved] == [drafted]


def _keep(
    db: People, item_id: uuid.UUID, assignment: uuid.UUID | None, shown: Any = None, **changes: Any
) -> homework.Kept:
    """Client A's page changes answers (`shown`: the answers it showed, as keep_change takes them)."""
    with session_scope() as session:
        return homework.keep_change(
            session,
            client_id=db.client_a.id,
            item_id=item_id,
            assignment_id=assignment,
            worksheet=None if assignment else worksheets.THOUGHT_RECORD,
            change=lambda *_: changes,
            shown=shown,
        )


def _own(db: People, item_id: uuid.UUID, assignment: uuid.UUID | None, **changes: Any) -> dict:
    return _keep(db, item_id, assignment, **changes).answers


def test_two_tabs_answering_different_fields_keep_both(db: People) -> None:
    _linked(db)
    assignment = _assign(db)
    response = uuid.uuid4()
    _own(db, response, assignment, situation="phone")
    held = _own(db, response, assignment, evidence_for="laptop")  # a tab that never saw "phone"
    assert held == {"situation": "phone", "evidence_for": "laptop"}
    # "couldn't do it" marked in one tab survives another's autosave
    _mark_not_done(db, assignment, response, return_it=False, reasons=["forgot"])
    _own(db, response, assignment, balanced="later")
    with session_scope() as session:
        assert [t.status for t in homework.to_do(session, client_id=db.client_a.id)] == ["not_done"]
        homework.save_response(
            session, client_id=db.client_a.id, item_id=response, assignment_id=assignment, worksheet=None
        )
        opened = homework.open_task(session, client_id=db.client_a.id, assignment_id=assignment)
    assert opened.answers == {"situation": "phone", "evidence_for": "laptop", "balanced": "later"}
    assert opened.reasons == []  # then answers saved replace it (the latest choice made)


def test_an_answer_typed_on_two_devices_keeps_the_words_written_over_apart(db: People) -> None:
    """A walk-through typed one answer on a laptop, then the same box on a phone: the phone's
    words replaced the laptop's, which were kept nowhere. A page's answer that would write
    over words it never showed first keeps the answers held apart, as a draft of an exercise
    of the client's own; its own words written on, or another field's, set nothing aside."""
    _linked(db)
    assignment = _assign(db)
    response = uuid.uuid4()

    def typed(shown: dict[str, Any], **changes: Any) -> homework.Kept:
        return _keep(db, response, assignment, shown, **changes)

    laptop = typed({}, situation="LAPTOP-A at the kitchen table")
    assert laptop.set_aside is None
    assert typed(laptop.answers, situation="LAPTOP-A at the kitchen table, after dinner").set_aside is None
    assert typed({}, evidence_for="PHONE: another field").set_aside is None  # nothing written over
    phone = typed({}, situation="P")  # the phone's box never showed the laptop's words
    assert phone.set_aside is not None and phone.answers["situation"] == "P"
    with session_scope() as session:
        _saved, unsaved = homework.own_exercises(session, client_id=db.client_a.id)
    (copy,) = [draft for draft in unsaved if draft.item_id == phone.set_aside]
    assert copy.kept_apart
    assert homework.answers_of(homework.KIND, copy.fields) == {
        "situation": "LAPTOP-A at the kitchen table, after dinner",
        "evidence_for": "PHONE: another field",
    }
    assert worksheets.from_json(copy.fields["worksheet"]).title == worksheets.THOUGHT_RECORD.title
    # The words the page showed, written on (or emptied), are its own: nothing more is kept.
    assert typed(phone.answers, situation="PHONE-B, more").set_aside is None
    assert typed({"situation": "PHONE-B, more"}, situation="").set_aside is None


def test_a_response_begun_elsewhere_is_named_and_one_changed_since_the_page_showed_it_is_not_saved(
    db: People,
) -> None:
    """Another device's tab, given another id, answering an assignment begun under one: told
    which response it is (`BegunElsewhere`), nothing written. A save of answers that changed
    since the page showed them (`seen`) saves nothing; of the answers the page shows, saves."""
    _linked(db)
    assignment = _assign(db)
    response = uuid.uuid4()
    _own(db, response, assignment, situation="phone")
    with pytest.raises(BegunElsewhere) as begun:
        _own(db, uuid.uuid4(), assignment, situation="laptop")
    assert begun.value.response_id == response
    _own(db, response, assignment, situation="phone, later")

    def save_as_seen(situation: str) -> homework.OpenTask:
        with session_scope() as session:
            homework.save_response(
                session,
                client_id=db.client_a.id,
                item_id=response,
                assignment_id=assignment,
                worksheet=None,
                seen={"situation": situation},
            )
        with session_scope() as session:
            return homework.open_task(session, client_id=db.client_a.id, assignment_id=assignment)

    with pytest.raises(AnswersChangedElsewhere):
        save_as_seen("phone")
    with session_scope() as session:
        assert not homework.open_task(session, client_id=db.client_a.id, assignment_id=assignment).saved
    opened = save_as_seen("phone, later")
    assert opened.answers == {"situation": "phone, later"} and opened.saved


def test_listing_statuses_reads_nothing_and_a_new_return_is_to_review_again(db: People) -> None:
    assignment, response = _returned(db, situation="x")
    with session_scope() as session:
        homework.mark_reviewed(session, clinician_id=db.clinician_a.id, assignment_id=assignment)
    with session_scope() as session:
        before = len(audit_events(session))
    assert _statuses(db) == ["reviewed"]
    with session_scope() as session:
        assert len(audit_events(session)) == before  # a status list is not a read: no audit, no "seen"
        homework.take_back(session, client_id=db.client_a.id, assignment_id=assignment)
    assert _statuses(db) == ["assigned"]
    _return_answers(db, assignment, response)
    with session_scope() as session:
        assert [w.assignment_id for w in homework.to_review(session, clinician_id=db.clinician_a.id)] == [
            str(assignment)
        ]
    assert _statuses(db) == ["returned"]


def test_what_answered_a_withdrawn_assignment_stays_the_clients(db: People) -> None:
    _linked(db)
    assignment = _assign(db)
    response = uuid.uuid4()
    _own(db, response, assignment, situation="mine")
    with session_scope() as session:
        homework.save_response(
            session, client_id=db.client_a.id, item_id=response, assignment_id=assignment, worksheet=None
        )
        homework.withdraw(session, clinician_id=db.clinician_a.id, assignment_id=assignment)
    with session_scope() as session:
        saved, _unsaved = homework.own_exercises(session, client_id=db.client_a.id)
        assert not homework.is_live_for(session, client_id=db.client_a.id, assignment_id=str(assignment))
    assert [item.id for item in saved] == [response]


def test_a_library_prompt_keeps_its_place_and_its_answer_is_titled_in_the_clients_language() -> None:
    sheet = worksheets.library_prompt(2)
    assert worksheets.from_json(worksheets.to_json(sheet)).questions == sheet.questions
    french = Reader(FRENCH)
    values = homework.response_values(sheet, {"answer": "Hier."}, translate=lambda q: str(french.shown(q)))
    assert values == {"title": french.t(worksheets.PROMPT_LIBRARY[2]), "body": "Hier."}
    assert values["title"] != worksheets.PROMPT_LIBRARY[2]


def test_a_prompts_answer_takes_as_much_as_a_journal_entry() -> None:
    long = "word " * 2_000  # 10,000 characters: more than a worksheet's long text takes
    sheet = worksheets.library_prompt(0)
    assert worksheets.clean_answers(sheet, {"answer": long}) == {"answer": long}
    with pytest.raises(InvalidInput):
        worksheets.clean_answers(worksheets.THOUGHT_RECORD, {"situation": long})


def test_a_prompt_of_several_questions_says_its_one_answer_is_for_them_all() -> None:
    """A walk-through: two questions and one box; the client looked for a second one."""
    (one,) = worksheets.prompt(["What helped today?"]).fields
    (several,) = worksheets.prompt(["What helped today?", "What got in the way?"]).fields
    assert one.hint == "" and several.id == one.id == "answer"
    assert Reader(FRENCH).t(several.hint).startswith("Une seule réponse pour toutes les questions")


def test_homework_from_a_clinician_no_longer_connected_says_so(db: People) -> None:
    from betterjournal.core import links

    _linked(db)
    assignment = _assign(db)
    with session_scope() as session:
        assert [t.linked for t in homework.to_do(session, client_id=db.client_a.id)] == [True]
        links.end_link(session, client_id=db.client_a.id, clinician_id=db.clinician_a.id)
    with session_scope() as session:
        (task,) = homework.to_do(session, client_id=db.client_a.id)
    assert (task.id, task.linked) == (str(assignment), False)
    line = views.task_line(task, Reader(ENGLISH), TODAY)
    assert line.status == f"No longer connected to {db.clinician_a.name}"


@pytest.mark.parametrize("status", ["assigned", "overdue", "returned", "not_done", "reviewed"])
def test_returned_homework_is_no_longer_said_to_be_due(status: str) -> None:
    """The clinician's list and brief said "Returned: to review · Due Sunday" (a walk-through):
    once returned, the date to meet is gone, as on the client's own cards."""
    reader, due_on = Reader(ENGLISH), TODAY + timedelta(days=3)
    given = homework.Given(
        id="a",
        client_id="c",
        client_name="Sam",
        worksheet=worksheets.THOUGHT_RECORD,
        instructions="",
        note="",
        due_on=due_on,
        status=status,
        created_at=datetime.now(UTC),
        not_done=status == "not_done",
    )
    open_ = status in ("assigned", "overdue")
    assert views.given_line(given, reader, TODAY).due == (
        homework.due_text(reader, due_on, TODAY) if open_ else ""
    )
    if status in ("overdue", "returned", "not_done"):  # what a brief lists
        needing = homework.Attention(
            id="a", worksheet=worksheets.THOUGHT_RECORD, due_on=due_on, status=status
        )
        line = views.attention_line(needing, reader, TODAY)
        assert (line.due != "", line.returned) == (status == "overdue", status != "overdue")


# --- the caseload's counts, from an index for what was never returned -----------------------


def _attention_as_it_stands(
    session, clinician_id: uuid.UUID, today: date
) -> dict[uuid.UUID, tuple[int, int, int]]:
    """The counts worked out the long way, assignment by assignment and share by share, from
    the shares as they are: returned means a live share of its response with its clinician,
    under a live link. New shared items are the live shares not opened yet (homework
    responses aside), less the returned answers among them: each is counted once, returned."""
    from sqlmodel import select

    from betterjournal.models import CareLink, ItemShare

    def live(share: ItemShare) -> bool:
        return bool(
            share.revoked_at is None
            and (link := session.get(CareLink, share.link_id))
            and link.ended_at is None
        )

    found: dict[uuid.UUID, list[int]] = {}
    returned_answers: set[uuid.UUID] = set()
    for row in session.exec(select(Assignment).where(Assignment.clinician_id == clinician_id)):
        if row.withdrawn_at is not None or row.reviewed_at is not None:
            continue
        returned = row.response_id is not None and any(
            live(share)
            for share in session.exec(
                select(ItemShare).where(
                    ItemShare.item_id == row.response_id, ItemShare.clinician_id == clinician_id
                )
            )
        )
        if returned and row.response_id is not None:
            returned_answers.add(row.response_id)
        counts = found.setdefault(row.client_id, [0, 0, 0])
        counts[0] += returned
        counts[1] += not returned and row.due_on is not None and row.due_on < today
    for share in session.exec(select(ItemShare).where(ItemShare.clinician_id == clinician_id)):
        if live(share) and share.first_seen_at is None and share.kind != homework.KIND.name:
            client = session.get(CareLink, share.link_id).client_id
            found.setdefault(client, [0, 0, 0])[2] += share.item_id not in returned_answers
    return {client: (a, b, c) for client, (a, b, c) in found.items()}


@pytest.mark.parametrize("seed", range(3))
def test_the_caseload_counts_match_the_shares_through_any_sequence_of_returns(db: People, seed: int) -> None:
    """Returned, taken back, returned again, reviewed, deleted, shared from the entry's own
    switch, an entry saved before and then tied to a prompt, the link ended and made again,
    withdrawn, opened: after every step the counts (which look up a share only for what was
    returned at least once) equal the counts worked out from every share, a returned prompt's
    answer counted once."""
    import random

    from betterjournal.core import caseload, items, journal, links
    from betterjournal.core.accounts import data_key
    from betterjournal.core.errors import Denied

    rng = random.Random(seed)
    client, clinician = db.client_a.id, db.clinician_a.id
    _linked(db)
    prompt = {"template": "prompt", "questions": ["What went well this week?"]}
    given = [
        _assign(db, due_on=(TODAY + timedelta(days=days)).isoformat(), **(prompt if n % 2 else {}))
        for n, days in enumerate((0, 1, 2, 4, 6, 9))
    ]
    responses: dict[uuid.UUID, uuid.UUID] = {}  # assignment -> the item id its client works on

    def response_of(session, assignment: uuid.UUID) -> uuid.UUID:
        row = session.get(Assignment, assignment)
        return row.response_id or responses.setdefault(assignment, uuid.uuid4())

    def answer(session, assignment: uuid.UUID, return_it: bool) -> None:
        homework.not_done(
            session,
            client_id=client,
            item_id=response_of(session, assignment),
            assignment_id=assignment,
            reasons=["forgot"],
            return_it=return_it,
        )

    def toggle_from_the_item(session, assignment: uuid.UUID) -> None:
        row = session.get(Assignment, assignment)
        if row.response_id is not None:
            on = rng.random() < 0.6
            sharing.set_shared(
                session, owner_id=client, item_id=row.response_id, clinician_id=clinician, shared=on
            )

    def delete_and_open(session, assignment: uuid.UUID) -> None:
        row = session.get(Assignment, assignment)
        if row.response_id is not None:
            items.delete_item(session, owner_id=client, item_id=row.response_id)
            responses.pop(assignment, None)
        homework.open_task(session, client_id=client, assignment_id=assignment)

    def tie_a_shared_entry(session, assignment: uuid.UUID) -> None:
        """An entry saved and shared first, then given as the answer of a prompt not begun."""
        row = session.get(Assignment, assignment)
        if (
            row.response_id is None
            and worksheets.from_json(
                data_key(session, client).open_field(Assignment.worksheet_ct, row.id, row.worksheet_ct)
            ).is_prompt
        ):
            entry = uuid.uuid4()
            items.save(session, owner_id=client, kind=journal.KIND, item_id=entry, values={"body": "b"})
            sharing.set_shared(session, owner_id=client, item_id=entry, clinician_id=clinician, shared=True)
            homework.keep_change(
                session,
                client_id=client,
                item_id=entry,
                assignment_id=assignment,
                worksheet=None,
                change=lambda *_: {},
            )

    def relink(session, _assignment: uuid.UUID) -> None:
        links.end_link(session, client_id=client, clinician_id=clinician)
        link(session, client_id=client, clinician_id=clinician)

    steps = {
        "return": lambda s, a: answer(s, a, True),
        "keep private": lambda s, a: answer(s, a, False),
        "take back": lambda s, a: homework.take_back(s, client_id=client, assignment_id=a),
        "review": lambda s, a: homework.mark_reviewed(s, clinician_id=clinician, assignment_id=a),
        "share switch": toggle_from_the_item,
        "delete": delete_and_open,
        "tie a shared entry": tie_a_shared_entry,
        "relink": relink,
        "withdraw": lambda s, a: homework.withdraw(s, clinician_id=clinician, assignment_id=a),
        "open": lambda s, a: homework.open_returned(s, clinician_id=clinician, assignment_id=a, today=TODAY),
    }
    weights = [6, 2, 3, 3, 3, 1, 2, 1, 1, 2]
    done: list[str] = []
    for _ in range(100):
        name = rng.choices(list(steps), weights)[0]
        assignment = rng.choice(given)
        try:
            with session_scope() as session:
                steps[name](session, assignment)
        except (InvalidInput, Denied, NotFound):
            continue  # refused as the app would refuse it (not returned, withdrawn, no link...)
        done.append(name)
        with session_scope() as session:
            for today in (TODAY + timedelta(days=3), TODAY + timedelta(days=7)):
                counted = {
                    uuid.UUID(line.client_id): (line.to_review, line.overdue, line.new_shared)
                    for line in caseload.caseload(session, clinician_id=clinician, today=today)
                }
                expected = _attention_as_it_stands(session, clinician, today)
                assert {c: n for c, n in counted.items() if n != (0, 0, 0)} == {
                    c: n for c, n in expected.items() if n != (0, 0, 0)
                }, (done, today)
    assert {"return", "take back", "review", "share switch", "tie a shared entry"} <= set(done)


def test_answered_means_something_written_or_chosen() -> None:
    """A list of empty items or rows of empty cells is nothing written; a 0 is an answer."""
    from betterjournal.core.worksheets import answered

    assert not answered({})
    assert not answered({"thoughts": [""], "emotions": [{}, {"name": " ", "strength": None}]})
    assert answered({"thoughts": ["", "I'm late"]})
    assert answered({"hot_belief": 0})
    assert answered({"emotions": [{"name": "", "strength": 40}]})
    assert answered({"helped": False})


def test_an_assignments_answers_are_not_discarded_as_an_exercise_of_ones_own(db: People) -> None:
    """Attack review: an assignment's answers, opened at an exercise's address (its id is in
    the page), were discarded there. They open at the assignment's address, and only an
    exercise of the client's own is discarded so."""
    _linked(db)
    assignment, response = _assign(db), uuid.uuid4()
    _own(db, response, assignment, situation="Answered as homework.")
    with session_scope() as session:
        assert homework.assignment_answered_by(session, client_id=db.client_a.id, item_id=response) == str(
            assignment
        )
        # Nobody else's assignment answered by it, whatever the spelling of the id.
        assert homework.assignment_answered_by(session, client_id=db.client_b.id, item_id=response) is None
        assert homework.assignment_answered_by(session, client_id=db.client_a.id, item_id="not an id") is None
    with pytest.raises(InvalidInput), session_scope() as session:
        homework.discard_own_exercise(session, client_id=db.client_a.id, item_id=response)
    assert _own(db, response, assignment) == {"situation": "Answered as homework."}
    exercise = uuid.uuid4()
    _own(db, exercise, None, situation="My own.")
    with session_scope() as session:
        assert homework.assignment_answered_by(session, client_id=db.client_a.id, item_id=exercise) is None
        homework.discard_own_exercise(session, client_id=db.client_a.id, item_id=exercise)
        assert drafts.get(session, owner_id=db.client_a.id, item_id=exercise) is None


def test_answers_kept_apart_are_kept_once_and_at_most_ten_times_nothing_written_over_beyond(
    db: People,
) -> None:
    """Attack review: a page claiming to have shown other answers (a made-up `seen`) made one
    full copy of the answers held per request, without end. The same answers are kept apart
    once; past ten copies of one response, a write that would need another is refused (its
    words stay on its screen) and nothing is written over."""
    _linked(db)
    assignment, response = _assign(db), uuid.uuid4()
    forged = {"situation": "never shown"}
    _own(db, response, assignment, situation="A", evidence_for="kept whole in every copy")
    first = _keep(db, response, assignment, forged, situation="B").set_aside
    _keep(db, response, assignment, forged, situation="A")  # B kept apart
    assert first is not None
    assert _keep(db, response, assignment, forged, situation="B").set_aside == first  # A again: once
    # New words each time: the words each writes over are kept apart (B's again: once), so
    # nine turns make eight copies more, ten in all.
    for turn in range(9):
        assert _keep(db, response, assignment, forged, situation=f"turn {turn}").set_aside is not None
    before = _own(db, response, assignment)
    with pytest.raises(InvalidInput, match="Discard the ones you don't need"):
        _keep(db, response, assignment, forged, situation="one too many")
    assert _own(db, response, assignment) == before
    with session_scope() as session:
        _saved, unsaved = homework.own_exercises(session, client_id=db.client_a.id)
    assert len([draft for draft in unsaved if draft.kept_apart]) == drafts.KEPT_APART_MAX == 10
