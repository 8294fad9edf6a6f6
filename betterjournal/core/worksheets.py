"""Worksheets are data, not code: a definition (fields of a few types) and its answers.

Every exercise a client does is a worksheet: the built-in templates (a thought record, a
behavioural experiment, grounding, activity scheduling, a journaling prompt) are
definitions written here, and a clinician's custom worksheet is a definition they build,
checked against the same schema (`custom_definition`). One renderer shows them all
(components/worksheets.py), and one function checks any answers against any definition
(`clean_answers`).

Field types: short text, long text, a 0–10 scale, a 0–100 slider, yes/no, a date, a list
of items, and (built-in only) rows: a small table, one row per emotion or activity.
Answers are JSON: text for text and dates, whole numbers for scales, true/false for
yes/no, a list of texts for a list, a list of {column: value} for rows. Nothing is
required: an exercise can be returned half done.

Built-in texts are marked for translation (`N_`) and shown in the reader's language; a
clinician's own words are kept as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from betterjournal.core.errors import InvalidInput
from betterjournal.core.validation import BODY_MAX, clean_line, clean_text, draft_limit
from betterjournal.i18n import N_, Message

SHORT_TEXT, LONG_TEXT, SCALE_10, SLIDER_100 = "short_text", "long_text", "scale_10", "slider_100"
YES_NO, DATE, LIST, ROWS = "yes_no", "date", "list", "rows"
# What a clinician can build a worksheet from, as the builder names them.
CUSTOM_TYPES: dict[str, Message] = {
    SHORT_TEXT: N_("Short text"),
    LONG_TEXT: N_("Long text"),
    SCALE_10: N_("Scale from 0 to 10"),
    SLIDER_100: N_("Slider from 0 to 100"),
    YES_NO: N_("Yes or no"),
    DATE: N_("Date"),
    LIST: N_("List of items"),
}
TYPES = (*CUSTOM_TYPES, ROWS)

SHORT_MAX = 300
LONG_MAX = 5_000
ITEMS_MAX = 20  # in a list, or rows in a table
FIELDS_MAX = 40
TITLE_MAX = 100
LABEL_MAX = 200
EXPLANATION_MAX = 1_000
QUESTIONS_MAX = 5
QUESTION_MAX = 500
DEFINITION_JSON_MAX = 40_000
ANSWERS_JSON_MAX = 250_000
_FIELD_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Field:
    """One field: its id (the key of its answer), type, label and hint; `columns` for rows."""

    id: str
    type: str
    label: str
    hint: str = ""
    columns: tuple[Field, ...] = ()
    limit: int = 0  # the longest text it takes (0: its type's: SHORT_MAX, LONG_MAX)
    # Rows only: another rows field whose first column's names this one can start from (the
    # thought record's "Emotions now", rated again), and the words of the button that does.
    carry_from: str = ""
    carry_label: str = ""
    # Lists only: what one item is called, with its number ("Thought {number}"); else "Item".
    item: str = ""


@dataclass(frozen=True)
class Worksheet:
    """A definition. `key`: a built-in's name, "custom" or "prompt". `questions`: a prompt's."""

    key: str
    title: str
    explanation: str
    fields: tuple[Field, ...]
    example: Mapping[str, Any] = field(default_factory=dict)
    questions: tuple[str, ...] = ()

    @property
    def builtin(self) -> bool:
        return BUILT_IN.get(self.key) is self

    @property
    def is_prompt(self) -> bool:
        """A journaling prompt: answered with a journal entry, not a worksheet response."""
        return bool(self.questions)

    def field_named(self, field_id: object) -> Field:
        found = next((f for f in self.fields if f.id == field_id), None)
        if found is None:
            raise InvalidInput(N_("This couldn't be saved. Please try again."))
        return found


# --- one answer, by type -------------------------------------------------------------------------


def text_limit(spec: Field) -> int:
    """How many characters a text answer may hold once saved (0: not a text)."""
    if spec.type not in (SHORT_TEXT, LONG_TEXT):
        return 0
    return spec.limit or (SHORT_MAX if spec.type == SHORT_TEXT else LONG_MAX)


def clean_value(spec: Field, value: object, *, draft: bool = False) -> Any:
    """One answer to one field (a cell of a list or of rows: its column's spec), cleaned.

    Empty is always allowed (None or ""), so a half-done exercise can be kept. Values come
    as the controls send them: text for text and dates (and a slider's "55"), numbers for
    scales, true/false for yes/no. A `draft` keeps text a fifth past its limit (`draft_limit`:
    words pasted over it wait there while the person shortens them; saving refuses them).
    """
    if value is None or (value == "" and spec.type not in (LIST, ROWS)):
        return None
    label, limit = spec.label, text_limit(spec)
    if draft and limit and isinstance(value, str) and len(value) > draft_limit(limit):
        # Past what even a draft keeps: the limit said is the one to shorten it to.
        raise InvalidInput(
            N_("{label} is too long: the limit is {limit} characters."), label=label, limit=limit
        )
    if draft:
        limit = draft_limit(limit)
    if spec.type == SHORT_TEXT:
        return clean_line(value, label=Message(label), max_length=limit, required=False) or None
    if spec.type == LONG_TEXT:
        return clean_text(value, label=Message(label), max_length=limit, required=False) or None
    if spec.type in (SCALE_10, SLIDER_100):
        top = 10 if spec.type == SCALE_10 else 100
        if spec.type == SLIDER_100 and isinstance(value, str) and value.isdigit() and len(value) <= 3:
            value = int(value) if str(int(value)) == value else None  # a slider sends its position as text
        if type(value) is not int or not 0 <= value <= top:
            raise InvalidInput(N_("{label}: choose a whole number from 0 to {top}."), label=label, top=top)
        return value
    if spec.type == YES_NO:
        if not isinstance(value, bool):
            raise InvalidInput(N_("{label}: choose yes or no."), label=label)
        return value
    if spec.type == DATE:
        try:
            day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            day = None
        if day is None or not 1900 <= day.year <= 2200:
            raise InvalidInput(N_("{label}: choose a date."), label=label)
        return day.isoformat()
    if spec.type == LIST:
        if not isinstance(value, list) or len(value) > ITEMS_MAX:
            raise InvalidInput(N_("{label}: at most {count} items."), label=label, count=ITEMS_MAX)
        item = Field(spec.id, SHORT_TEXT, spec.label)
        return [clean_value(item, one, draft=draft) or "" for one in value]
    if spec.type == ROWS:
        if not isinstance(value, list) or len(value) > ITEMS_MAX:
            raise InvalidInput(N_("{label}: at most {count} items."), label=label, count=ITEMS_MAX)
        return [_clean_row(spec, row, draft=draft) for row in value]
    raise InvalidInput(N_("This couldn't be saved. Please try again."))


def _clean_row(spec: Field, row: object, *, draft: bool) -> dict[str, Any]:
    columns = {column.id: column for column in spec.columns}
    if not isinstance(row, dict) or set(row) - set(columns):
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    cleaned = {name: clean_value(columns[name], value, draft=draft) for name, value in row.items()}
    return {name: value for name, value in cleaned.items() if value is not None}


def clean_answers(worksheet: Worksheet, answers: object, *, draft: bool = False) -> dict[str, Any]:
    """Answers to a worksheet: only its fields, each checked for its type; empty ones left out."""
    if not isinstance(answers, dict) or set(answers) - {f.id for f in worksheet.fields}:
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    cleaned = {
        name: clean_value(worksheet.field_named(name), value, draft=draft) for name, value in answers.items()
    }
    return {name: value for name, value in cleaned.items() if value not in (None, [])}


def answers_json(worksheet: Worksheet, answers: object, *, draft: bool = False) -> str:
    """The cleaned answers as stored (sorted JSON); '' when nothing is answered."""
    cleaned = clean_answers(worksheet, answers, draft=draft)
    text = json.dumps(cleaned, ensure_ascii=False, sort_keys=True) if cleaned else ""
    if len(text) > ANSWERS_JSON_MAX:
        raise InvalidInput(N_("This is more than can be kept in one exercise. Please shorten it."))
    return text


def answered(answers: Mapping[str, Any]) -> bool:
    """Whether anything is written or chosen (a list of empty items, or rows of empty cells,
    is nothing)."""

    def given(value: object) -> bool:
        if isinstance(value, str):
            return value.strip() != ""
        if isinstance(value, list):
            return any(given(item) for item in value)
        if isinstance(value, dict):
            return any(given(item) for item in value.values())
        return value is not None

    return any(given(value) for value in answers.values())


def answers_from(text: str) -> dict[str, Any]:
    """Stored answers (answers_json); {} for none, or for a draft that isn't answers."""
    try:
        answers = json.loads(text) if text else {}
    except ValueError:
        return {}
    return answers if isinstance(answers, dict) else {}


def answer_given(
    worksheet: Worksheet,
    answers: Mapping[str, Any],
    field: object,
    row: object,
    column: object,
    value: object,
    *,
    shown: Mapping[str, Any] | None = None,
) -> Any:
    """`field`'s answer once one of its controls is answered: the field's own (`row` -1),
    a list's item or a row's cell (`column`), rows added up to it as needed. `shown`: the
    answers on the person's screen, which another tab may have changed since (else
    `answers`, the ones held):
    - the row they typed into is found where it is held now (rows added or removed above
      it elsewhere); one no longer held (removed, or changed, elsewhere) is kept as a row
      of its own: no one's words are written over.
    - choosing the rating (or yes/no) they see chosen clears it: nothing is final by
      mistake."""
    seen = answers if shown is None else shown
    spec = worksheet.field_named(field)
    if spec.type not in (LIST, ROWS):
        return _again_clears(spec, seen.get(spec.id), value)
    if type(row) is not int or not 0 <= row < ITEMS_MAX:
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    rows = list(answers.get(spec.id) or [])
    seen_rows = seen.get(spec.id)
    seen_row = seen_rows[row] if isinstance(seen_rows, list) and row < len(seen_rows) else None
    place = _held_at(rows, seen_row, row)
    if place is None:
        place = len(rows)
        rows.append(seen_row)
    while len(rows) <= place:
        rows.append(empty_cell(spec))
    if len(rows) > ITEMS_MAX:
        raise InvalidInput(N_("{label}: at most {count} items."), label=spec.label, count=ITEMS_MAX)
    if spec.type == LIST:
        rows[place] = value
        return rows
    cell = next((c for c in spec.columns if c.id == column), None)
    if cell is None or not isinstance(rows[place], dict):
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    current = seen_row.get(cell.id) if isinstance(seen_row, dict) else None
    rows[place] = {**rows[place], cell.id: _again_clears(cell, current, value)}
    return rows


def row_added(
    worksheet: Worksheet, answers: Mapping[str, Any], field: object, *, drawn: int = 0
) -> list[Any]:
    """`field`'s rows held, with one more, empty, at the end (after the `drawn` rows the
    person sees, which may not all hold an answer yet): rows another tab added stay."""
    spec = worksheet.field_named(field)
    if spec.type not in (LIST, ROWS):
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    rows = list(answers.get(spec.id) or [])
    while len(rows) < drawn:
        rows.append(empty_cell(spec))
    if len(rows) >= ITEMS_MAX:
        raise InvalidInput(N_("{label}: at most {count} items."), label=spec.label, count=ITEMS_MAX)
    return [*rows, empty_cell(spec)]


def rows_carried(worksheet: Worksheet, answers: Mapping[str, Any], field: object) -> list[Any]:
    """`field`'s rows held, with a row for each name in its `carry_from` field's first
    column that it doesn't hold yet (rows left empty make way for them): the thought
    record's emotions, to rate again. What is already there stays as it is."""
    spec = worksheet.field_named(field)
    if spec.type != ROWS or not spec.carry_from:
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    source = worksheet.field_named(spec.carry_from)
    name_of, source_name = spec.columns[0].id, source.columns[0].id
    rows = [row for row in answers.get(spec.id) or [] if isinstance(row, dict) and any(row.values())]
    held = {str(row.get(name_of) or "").strip().casefold() for row in rows}
    names = []
    for row in answers.get(source.id) or []:
        name = str(row.get(source_name) or "").strip() if isinstance(row, dict) else ""
        if name and name.casefold() not in held:
            held.add(name.casefold())
            names.append(name)
    if not names:
        raise InvalidInput(N_("There is nothing new in “{label}” to bring here yet."), label=source.label)
    return [*rows, *({name_of: name} for name in names)][:ITEMS_MAX]


def row_removed(
    worksheet: Worksheet,
    answers: Mapping[str, Any],
    field: object,
    row: object,
    *,
    shown: Mapping[str, Any] | None = None,
) -> list[Any]:
    """`field`'s rows held, without the one the person sees at `row` (`shown`: their
    screen), found where it is held now; one changed elsewhere since stays (its words are
    someone's), as does one already gone."""
    spec = worksheet.field_named(field)
    if spec.type not in (LIST, ROWS) or type(row) is not int:
        raise InvalidInput(N_("This couldn't be saved. Please try again."))
    rows = list(answers.get(spec.id) or [])
    seen_rows = (answers if shown is None else shown).get(spec.id)
    if not isinstance(seen_rows, list) or not 0 <= row < len(seen_rows):
        return rows
    place = _held_at(rows, seen_rows[row], row)
    if place is not None and place < len(rows):
        del rows[place]
    return rows


def _held_at(rows: list[Any], seen_row: object, row: int) -> int | None:
    """Where the row a person sees at `row` is among the rows held: there while it is the
    same there (or they see none there: a new one); else the one place holding the same
    row; None when it isn't held any more, or can't be told apart."""
    if seen_row is None or (row < len(rows) and rows[row] == seen_row):
        return row
    places = [place for place, held in enumerate(rows) if held == seen_row]
    return places[0] if len(places) == 1 else None


def _again_clears(spec: Field, current: object, value: object) -> object:
    if spec.type in (SCALE_10, YES_NO) and type(value) is type(current) and value == current:
        return None
    return value


def empty_cell(spec: Field) -> Any:
    """What a new row (or list item) starts with."""
    if spec.type == ROWS:
        return {}
    return ""


# --- definitions as stored --------------------------------------------------------------------


def to_json(worksheet: Worksheet) -> str:
    """How a definition is kept with an assignment or a response: a built-in by its name (so
    it reads in each person's language), any other in full."""
    if worksheet.builtin:
        return json.dumps({"builtin": worksheet.key})
    if worksheet.key == LIBRARY_PROMPT:  # by its place in the library: read in each language
        return json.dumps({"library_prompt": PROMPT_LIBRARY.index(worksheet.questions[0])})
    data: dict[str, Any] = {
        "key": worksheet.key,
        "title": worksheet.title,
        "explanation": worksheet.explanation,
        "fields": [{"id": f.id, "type": f.type, "label": f.label} for f in worksheet.fields],
    }
    if worksheet.questions:
        data["questions"] = list(worksheet.questions)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def from_json(text: str) -> Worksheet:
    """A stored definition (to_json); a built-in's is the current one."""
    data = json.loads(text)
    if "builtin" in data:
        return BUILT_IN[data["builtin"]]
    if "library_prompt" in data:
        return library_prompt(data["library_prompt"])
    if "questions" in data:
        return prompt(data["questions"])
    return custom_definition(data)


def custom_definition(data: object) -> Worksheet:
    """A clinician's worksheet from its builder's data, checked against the schema:
    {"title": …, "explanation": … (optional), "fields": [{"label": …, "type": …}, …]}.
    Field ids are given in order ("f1", "f2", …) unless valid ones come with the data."""
    if not isinstance(data, dict) or set(data) - {"key", "title", "explanation", "fields"}:
        raise InvalidInput(N_("This worksheet couldn't be saved. Please try again."))
    title = clean_line(data.get("title"), label=N_("Title"), max_length=TITLE_MAX)
    explanation = clean_text(
        data.get("explanation", ""), label=N_("Explanation"), max_length=EXPLANATION_MAX, required=False
    ).strip()
    specs = data.get("fields")
    if not isinstance(specs, list) or not specs:
        raise InvalidInput(N_("Add at least one field to the worksheet."))
    if len(specs) > FIELDS_MAX:
        raise InvalidInput(N_("A worksheet can have at most {count} fields."), count=FIELDS_MAX)
    fields: list[Field] = []
    for index, spec in enumerate(specs, start=1):
        if not isinstance(spec, dict) or set(spec) - {"id", "type", "label"}:
            raise InvalidInput(N_("This worksheet couldn't be saved. Please try again."))
        if spec.get("type") not in CUSTOM_TYPES:
            raise InvalidInput(N_("Field {number}: choose one of the field types offered."), number=index)
        label = clean_line(spec.get("label"), label=N_("Field name"), max_length=LABEL_MAX)
        field_id = spec.get("id", f"f{index}")
        if not isinstance(field_id, str) or not _FIELD_ID.match(field_id):
            raise InvalidInput(N_("This worksheet couldn't be saved. Please try again."))
        fields.append(Field(field_id, spec["type"], label))
    names = [f.label.casefold() for f in fields]
    if len(set(names)) != len(names) or len({f.id for f in fields}) != len(fields):
        raise InvalidInput(N_("Two fields have the same name. Give each field its own name."))
    worksheet = Worksheet(CUSTOM, title, explanation, tuple(fields))
    if len(to_json(worksheet)) > DEFINITION_JSON_MAX:
        raise InvalidInput(N_("This worksheet is too long. Please shorten it."))
    return worksheet


# A prompt's answer is a journal entry: it takes as much as an entry does.
PROMPT_ANSWER = Field("answer", LONG_TEXT, N_("Answer"), limit=BODY_MAX)  # read by both sides
# Several questions, one answer: said so (a walk-through's client looked for a box per question).
PROMPT_ANSWERS = Field(
    "answer",
    LONG_TEXT,
    N_("Answer"),
    N_("One answer for all the questions above: take them in any order, as much or as little as you like."),
    limit=BODY_MAX,
)


def prompt(questions: object) -> Worksheet:
    """A journaling prompt: one to five questions (a clinician's, or one from the library),
    answered in a journal entry."""
    if not isinstance(questions, list) or not questions:
        raise InvalidInput(N_("Write at least one question."))
    if len(questions) > QUESTIONS_MAX:
        raise InvalidInput(N_("A prompt can have at most {count} questions."), count=QUESTIONS_MAX)
    cleaned = tuple(clean_text(q, label=N_("Question"), max_length=QUESTION_MAX).strip() for q in questions)
    return Worksheet(
        PROMPT,
        N_("Journaling prompt"),
        N_(
            "A question to write about, in your own words and at your own pace. Your answer "
            "is a journal entry: it stays private until you choose to share it."
        ),
        (PROMPT_ANSWER if len(cleaned) == 1 else PROMPT_ANSWERS,),
        questions=cleaned,
    )


# --- the built-in templates ------------------------------------------------------------------

CUSTOM, PROMPT, LIBRARY_PROMPT = "custom", "prompt", "library_prompt"


def _emotions(
    field_id: str, label: Message, hint: Message, carry_from: str = "", carry_label: str = ""
) -> Field:
    return Field(
        field_id,
        ROWS,
        label,
        hint,
        columns=(
            Field("emotion", SHORT_TEXT, N_("Emotion")),
            Field("intensity", SLIDER_100, N_("How strong (0–100)")),
        ),
        carry_from=carry_from,
        carry_label=carry_label,
    )


THOUGHT_RECORD = Worksheet(
    "thought_record",
    N_("Thought record"),
    N_(
        "When your mood shifts, a thought record helps you slow down and look at what went "
        "through your mind. You write down the situation, what you felt and how strongly, and "
        "the thoughts that came. Then you look at the evidence for and against the thought "
        "that hit hardest, and try a more balanced way of seeing it. There are no right "
        "answers: a few words in each box is plenty."
    ),
    (
        Field(
            "situation",
            LONG_TEXT,
            N_("Situation"),
            N_("Where were you, what was happening, who was there?"),
        ),
        _emotions("emotions", N_("Emotions"), N_("Each emotion, and how strong it was from 0 to 100.")),
        Field(
            "thoughts",
            LIST,
            N_("Automatic thoughts"),
            N_("What went through your mind?"),
            item=N_("Thought {number}"),
        ),
        Field("hot_thought", SHORT_TEXT, N_("The “hot” thought"), N_("The thought that hit hardest.")),
        Field("hot_belief", SLIDER_100, N_("How much I believed it (0–100)")),
        Field("evidence_for", LONG_TEXT, N_("Evidence for the hot thought")),
        Field("evidence_against", LONG_TEXT, N_("Evidence against the hot thought")),
        Field("balanced", LONG_TEXT, N_("A balanced or alternative thought")),
        Field("balanced_belief", SLIDER_100, N_("How much I believe it (0–100)")),
        _emotions(
            "emotions_after",
            N_("Emotions now"),
            N_("The same emotions, rated again from 0 to 100."),
            carry_from="emotions",
            carry_label=N_("Start with the emotions named above"),
        ),
    ),
    example={
        "situation": N_("My friend didn't answer my message all day."),
        "emotions": [{"emotion": N_("Sad"), "intensity": 70}, {"emotion": N_("Anxious"), "intensity": 60}],
        "thoughts": [N_("She's angry with me."), N_("I always push people away.")],
        "hot_thought": N_("I always push people away."),
        "hot_belief": 80,
        "evidence_for": N_("Last month a friend stopped calling."),
        "evidence_against": N_("She was at work all day. We had a good time on Saturday."),
        "balanced": N_("She is probably busy. One quiet day doesn't mean I push people away."),
        "balanced_belief": 60,
        "emotions_after": [
            {"emotion": N_("Sad"), "intensity": 40},
            {"emotion": N_("Anxious"), "intensity": 30},
        ],
    },
)

BEHAVIOURAL_EXPERIMENT = Worksheet(
    "behavioural_experiment",
    N_("Behavioural experiment"),
    N_(
        "A behavioural experiment tests a belief by trying something and seeing what really "
        "happens. You write the belief and how much you believe it, what you predict, and a "
        "small, safe step to test it. Afterwards you note what happened and what you learned. "
        "Whatever the result, you learn something: that is the point."
    ),
    (
        Field("belief", LONG_TEXT, N_("The belief I want to test")),
        Field("belief_before", SLIDER_100, N_("How much I believe it (0–100)")),
        Field("predictions", LIST, N_("What I predict will happen"), item=N_("Prediction {number}")),
        Field("experiment", LONG_TEXT, N_("The experiment: what, when, where")),
        Field("obstacles", LONG_TEXT, N_("What might get in the way, and how I'll handle it")),
        Field("happened", LONG_TEXT, N_("What actually happened")),
        Field("learned", LONG_TEXT, N_("What I learned")),
        Field("belief_after", SLIDER_100, N_("How much I believe it now (0–100)")),
    ),
    example={
        "belief": N_("If I speak up in a meeting, people will think I'm stupid."),
        "belief_before": 75,
        "predictions": [N_("Nobody will answer."), N_("Someone will look annoyed.")],
        "experiment": N_("Ask one question at Tuesday's team meeting."),
        "obstacles": N_("I might freeze. I'll write the question down beforehand."),
        "happened": N_("My manager said it was a good question and answered it."),
        "learned": N_("People were more interested than I expected."),
        "belief_after": 40,
    },
)

GROUNDING = Worksheet(
    "grounding",
    N_("Grounding practice (5-4-3-2-1)"),
    N_(
        "When feelings run high, grounding brings your attention back to the present through "
        "your senses. Notice 5 things you can see, 4 you can touch, 3 you can hear, 2 you can "
        "smell and 1 you can taste. Rate your distress before and after. It takes a few "
        "minutes and works anywhere."
    ),
    (
        Field("when_where", SHORT_TEXT, N_("When and where")),
        Field("distress_before", SCALE_10, N_("Distress before (0–10)")),
        Field("seen", LIST, N_("5 things I can see"), item=N_("Something I see {number}")),
        Field("touched", LIST, N_("4 things I can touch"), item=N_("Something I touch {number}")),
        Field("heard", LIST, N_("3 things I can hear"), item=N_("Something I hear {number}")),
        Field("smelled", LIST, N_("2 things I can smell"), item=N_("Something I smell {number}")),
        Field("tasted", LIST, N_("1 thing I can taste"), item=N_("Something I taste {number}")),
        Field("distress_after", SCALE_10, N_("Distress after (0–10)")),
    ),
    example={
        "when_where": N_("Tuesday evening, on the bus"),
        "distress_before": 7,
        "seen": [N_("a red coat"), N_("rain on the window"), N_("my shoes"), N_("a map"), N_("a tree")],
        "touched": [N_("the seat"), N_("my scarf"), N_("my keys"), N_("the cold pole")],
        "heard": [N_("the engine"), N_("someone laughing"), N_("the doors")],
        "smelled": [N_("coffee"), N_("wet wool")],
        "tasted": [N_("mint")],
        "distress_after": 4,
    },
)

ACTIVITY_SCHEDULING = Worksheet(
    "activity_scheduling",
    N_("Activity scheduling"),
    N_(
        "Low mood makes us do less, and doing less lowers mood. Activity scheduling breaks "
        "that circle: plan a few small activities, then note whether you did them and how "
        "they went. Mastery is how much you felt you achieved; pleasure is how much you "
        "enjoyed it, each from 0 to 10. Small steps count."
    ),
    (
        Field(
            "activities",
            ROWS,
            N_("Activities"),
            N_("Plan a few, then fill in the rest once each is done."),
            columns=(
                Field("activity", SHORT_TEXT, N_("Activity")),
                Field("when", SHORT_TEXT, N_("Day and time")),
                Field("done", YES_NO, N_("Done?")),
                Field("mastery", SCALE_10, N_("Mastery (0–10)")),
                Field("pleasure", SCALE_10, N_("Pleasure (0–10)")),
            ),
        ),
    ),
    example={
        "activities": [
            {
                "activity": N_("Walk around the block"),
                "when": N_("Monday 9:00"),
                "done": True,
                "mastery": 6,
                "pleasure": 5,
            },
            {"activity": N_("Call my sister"), "when": N_("Wednesday 18:00"), "done": False},
        ],
    },
)

# Questions a client can pick to write about on their own.
PROMPT_LIBRARY: tuple[Message, ...] = (
    N_("What is one thing that went well today, and what part did you play in it?"),
    N_("What has been weighing on you this week? What would you say to a friend carrying it?"),
    N_("When did you feel most like yourself recently? What was happening?"),
    N_("What is a worry you keep coming back to? What would help, even a little?"),
    N_("What do you need more of right now, and what do you need less of?"),
    N_("What would you like to remember from your last session?"),
    N_("What are three small things you are grateful for today?"),
    N_("What would you like to bring to your next session?"),
)

JOURNALING_PROMPT = Worksheet(
    "journaling_prompt",
    N_("Journaling prompt"),
    N_(
        "A question to write about, in your own words and at your own pace. Your answer "
        "is a journal entry: it stays private until you choose to share it."
    ),
    (PROMPT_ANSWER,),
    example={
        "answer": N_(
            "Today I finished the report I had been putting off. I asked for help, which I usually don't."
        )
    },
    questions=(PROMPT_LIBRARY[0],),
)

BUILT_IN: dict[str, Worksheet] = {
    w.key: w
    for w in (THOUGHT_RECORD, BEHAVIOURAL_EXPERIMENT, GROUNDING, ACTIVITY_SCHEDULING, JOURNALING_PROMPT)
}


def chosen_exercise(template: str, prompt: str) -> Worksheet | None:
    """The built-in exercise (`template=`) or library prompt (`prompt=`) of a page's address."""
    sheet = BUILT_IN.get(template)
    if sheet is not None and not sheet.is_prompt:
        return sheet
    if prompt.isdigit() and len(prompt) < 3 and int(prompt) < len(PROMPT_LIBRARY):
        return library_prompt(int(prompt))
    return None


def library_prompt(index: object) -> Worksheet:
    """One of the library's questions, to answer in a journal entry."""
    if type(index) is not int or not 0 <= index < len(PROMPT_LIBRARY):
        raise InvalidInput(N_("This couldn't be shown. Please try again."))
    return Worksheet(
        LIBRARY_PROMPT,
        JOURNALING_PROMPT.title,
        JOURNALING_PROMPT.explanation,
        JOURNALING_PROMPT.fields,
        example=JOURNALING_PROMPT.example,
        questions=(PROMPT_LIBRARY[index],),
    )
