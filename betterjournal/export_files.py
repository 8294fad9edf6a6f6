"""The files of "Download all my data" (PRIV-1): one zip, made in memory, holding the same
data twice: `betterjournal-data.json` for another program, and `betterjournal-data.html`
to read in any browser, in the person's language and time zone. Nothing is written to
disk. The person's own words are shown literally (escaped, never read as markup), and the
page loads nothing from anywhere (no script, no link, no image).
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from betterjournal import views
from betterjournal.core import agenda, checkins, homework, worksheets
from betterjournal.core.errors import CoreError
from betterjournal.i18n import N_, Message, Reader

JSON_NAME = "betterjournal-data.json"
HTML_NAME = "betterjournal-data.html"
# The page may load nothing and run nothing, whatever the text in it.
NOTHING_LOADED = "default-src 'none'; style-src 'unsafe-inline'"
# Labels bold, answers close under them: a long worksheet reads on a phone.
READING_STYLE = (
    "main{overflow-wrap:anywhere}"  # a very long word (a pasted link) wraps, never widens the page
    "dt{font-weight:600;margin-top:.5rem}dd{margin:0 0 .5rem .75rem}"
    "dd p{margin:.25rem 0}ul{padding-left:1.25rem}"
)

# How each field is labelled on the page.
FIELD_LABELS: dict[str, Message] = {
    "title": N_("Title"),
    "body": N_("Your entry"),
    "felt_at": N_("When"),
    "mood": N_("Mood"),
    "anxiety": N_("Anxiety"),
    "energy": N_("Energy"),
    "sleep_hours": N_("Hours of sleep"),
    "sleep_quality": N_("Sleep quality"),
    "note": N_("Note"),
    "tags": N_("Tags"),
    "scales": N_("Scales from your clinician"),
    "own_scales": N_("Your own scales"),
    "worksheet": N_("Exercise"),
    "answers": N_("Your answers"),
    "not_done": N_("Not done"),
    "lines": N_("Agenda"),
    "remember": N_("What I want to remember"),
    "instructions": N_("Instructions"),
    "comment": N_("Comment from your clinician"),
}
RATINGS = frozenset(name for name, _ in checkins.RATINGS)

KIND_TITLES: dict[str, Message] = {
    "journal_entry": N_("Journal entries"),
    "check_in": N_("Check-ins"),
    "homework_response": N_("Homework answers"),
    "session_agenda": N_("Session agendas"),
}


def file_name(reader: Reader) -> str:
    """The archive's name, dated in the person's own day."""
    return f"betterjournal-{reader.today().isoformat()}.zip"


# Fields the app keeps as JSON text (a check-in's tags, a worksheet, its answers, an
# agenda's lines): in the JSON file, data like the rest, not JSON inside a string (a
# walk-through found "worksheet": "{\"builtin\": …}").
JSON_FIELDS = frozenset({"tags", "scales", "own_scales", "worksheet", "answers", "not_done", "lines"})


def as_data(value: Any) -> Any:
    """`value` with every `JSON_FIELDS` text in it read as the data it holds (text that isn't
    JSON stays as it is)."""
    if isinstance(value, list):
        return [as_data(part) for part in value]
    if not isinstance(value, dict):
        return value
    shown = {}
    for key, part in value.items():
        if key in JSON_FIELDS and isinstance(part, str) and part[:1] in ("{", "["):
            with contextlib.suppress(ValueError):  # not JSON after all: the text as it is
                part = json.loads(part)
        shown[key] = as_data(part)
    return shown


def archive(data: dict[str, Any], reader: Reader) -> bytes:
    """The zip of both files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(JSON_NAME, json.dumps(as_data(data), ensure_ascii=False, indent=2))
        bundle.writestr(HTML_NAME, page(data, reader))
    return buffer.getvalue()


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _moment(reader: Reader, value: str | None) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    # A time as typed (an unsaved check-in's "When") is the person's own clock's, not UTC's
    # (a walk-through's 21 h 30 read 16 h 30).
    return reader.when(moment if moment.tzinfo is not None else moment.replace(tzinfo=reader.zone))


def _paragraph(text: object) -> str:
    return f'<p style="white-space:pre-wrap">{_e(text)}</p>'


def _list(parts: list[str]) -> str:
    """Escaped parts as a list; a dash for none."""
    if not parts:
        return _paragraph("—")
    return "<ul>" + "".join(f"<li>{part}</li>" for part in parts) + "</ul>"


def _pairs(pairs: list[tuple[str, str]]) -> str:
    """Labels and their (already escaped) values."""
    return "<dl>" + "".join(f"<dt>{_e(label)}</dt><dd>{value}</dd>" for label, value in pairs) + "</dl>"


@dataclass(frozen=True)
class _Context:
    """What a field's value needs to read as words: the names of the person's tags and
    scales by id, and their items by id (for what an agenda pins)."""

    names: dict[str, str]
    items: dict[str, views.Pinned]


def _answers(worksheet: worksheets.Worksheet, text: str, reader: Reader) -> str:
    """A worksheet's questions, each with its answer, as the response's page shows them."""
    pairs = []
    for field in views.worksheet_fields(worksheet, worksheets.answers_from(text), reader, reading=True):
        if not field.repeatable:
            pairs.append((field.label, _paragraph(field.rows[0].cells[0].shown)))
        elif field.type == worksheets.LIST:
            pairs.append((field.label, _list([_paragraph(row.cells[0].shown) for row in field.rows])))
        else:
            rows = [
                _e(row.label) + _pairs([(c.label, _paragraph(c.shown)) for c in row.cells])
                for row in field.rows
            ]
            pairs.append((field.label, _list(rows)))
    return _pairs(pairs)


def _readable(name: str, text: str, fields: dict[str, str], reader: Reader, context: _Context) -> str:
    """One field's value as a person reads it: moments in their time zone, ratings out of
    10, tags and scales by name, a worksheet's answers under its questions (an assigned
    prompt with its questions), an agenda's lines as the Prepare page words them. Raises
    ValueError (and the like) on a value it can't read."""
    if name == "felt_at":
        return _paragraph(_moment(reader, text))
    if name in RATINGS:
        return _paragraph(reader.t("{value} / 10", value=int(text)))
    if name == "sleep_hours":
        return _paragraph(reader.number(float(text)))
    if name == "tags":
        return _list([_e(context.names[tag]) for tag in json.loads(text) if tag in context.names])
    if name in ("scales", "own_scales"):
        values = json.loads(text).items()
        return _pairs(
            [
                (context.names[key], _paragraph(reader.t("{value} / 10", value=int(value))))
                for key, value in values
                if key in context.names
            ]
        )
    if name == "worksheet":
        sheet = worksheets.from_json(text)
        title = _paragraph(reader.shown(sheet.title))
        if "answers" in fields or not sheet.questions:  # a response's answers name each question
            return title
        return title + _list([_e(str(reader.shown(question))) for question in sheet.questions])
    if name == "answers":
        return _answers(worksheets.from_json(fields["worksheet"]), text, reader)
    if name == "not_done":
        reasons = [reader.t(homework.NOT_DONE_REASONS[key]) for key in json.loads(text).get("reasons", [])]
        return _list([_e(reason) for reason in reasons]) if reasons else _paragraph(reader.t("Yes"))
    if name == "lines":
        lines = agenda.lines_from(text)
        return _list(
            [
                _paragraph(views.agenda_line_text(line, context.items.get(line.item_id), reader))
                for line in lines
            ]
        )
    return _paragraph(text)


def _field(name: str, text: str, fields: dict[str, str], reader: Reader, context: _Context) -> str:
    try:
        return _readable(name, text, fields, reader, context)
    except (ValueError, TypeError, KeyError, AttributeError, CoreError):
        return _paragraph(text)  # shown as it is: the JSON file holds it all the same


def _article(reader: Reader, heading: str, fields: dict[str, str], context: _Context, *lines: str) -> str:
    """One item: when, a line or two about it, then each field it has, by its label."""
    shown = _pairs(
        [
            (
                reader.t(FIELD_LABELS[name]) if name in FIELD_LABELS else name,
                _field(name, text, fields, reader, context),
            )
            for name, text in fields.items()
            if text
        ]
    )
    said = "".join(f"<p>{_e(line)}</p>" for line in lines)
    return f"<article><h3>{_e(heading)}</h3>{said}{shown}</article>"


def _tag(name: str, text: str) -> str:
    return f"<{name}>{_e(text)}</{name}>"


def page(data: dict[str, Any], reader: Reader) -> str:
    """The readable page: the account, the care team, then each kind's items, newest first."""
    account = data["account"]
    context = _Context(
        names={label["id"]: label["name"] for label in (*data["check_in_tags"], *data["check_in_scales"])},
        items={
            item["id"]: views.Pinned(kind, item["fields"], datetime.fromisoformat(item["created_at"]))
            for kind, found in data["items"].items()
            for item in found
        },
    )
    made = reader.t("Made on {moment}.", moment=_moment(reader, data["exported_at"]))
    parts = [
        _tag("h1", reader.t("Everything you have in Betterjournal")),
        _tag("p", made),
        _tag("h2", reader.t("Your account")),
        _tag("p", f"{account['name']} · {account['email']}"),
    ]
    if data["care_team"]:
        parts.append(_tag("h2", reader.t("Your care team")) + "<ul>")
        for link in data["care_team"]:
            said = [reader.t("linked on {moment}", moment=_moment(reader, link["linked_at"]))]
            if link["ended_at"]:
                said.append(reader.t("ended on {moment}", moment=_moment(reader, link["ended_at"])))
            parts.append(_tag("li", f"{link['clinician']} ({' · '.join(said)})"))
        parts.append("</ul>")
    for kind, found in data["items"].items():
        title = reader.t(KIND_TITLES[kind]) if kind in KIND_TITLES else kind
        parts.append(_tag("h2", f"{title} ({reader.number(len(found))})"))
        for item in found:
            shared = (
                reader.t("Shared with {names}.", names=", ".join(item["shared_with_now"]))
                if item["shared_with_now"]
                else reader.t("Private.")
            )
            seen = [
                reader.t(
                    "Seen by {name} on {moment}.",
                    name=s["clinician"],
                    moment=_moment(reader, s["first_seen_at"]),
                )
                for s in item["seen"]
            ]
            parts.append(
                _article(reader, _moment(reader, item["created_at"]), item["fields"], context, shared, *seen)
            )
    if data["homework_assigned"]:
        parts.append(_tag("h2", reader.t("Homework from your clinicians")))
        for given in data["homework_assigned"]:
            said = [reader.t("From {name}.", name=given["from"])]
            if given["due_on"]:
                said.append(reader.t("Due {day}.", day=reader.short_day(date.fromisoformat(given["due_on"]))))
            shown = {key: given[key] for key in ("worksheet", "instructions", "note", "comment")}
            parts.append(_article(reader, _moment(reader, given["assigned_at"]), shown, context, *said))
    if data["appointments"]:
        parts.append(_tag("h2", reader.t("Sessions")) + "<ul>")
        for session in data["appointments"]:
            if session["held_at"]:
                when = reader.t("Held {moment}", moment=_moment(reader, session["held_at"]))
            else:
                when = reader.t("Planned for {moment}", moment=_moment(reader, session["starts_at"]))
            parts.append(_tag("li", f"{session['clinician']} · {when}"))
        parts.append("</ul>")
    if data["drafts"]:
        parts.append(_tag("h2", reader.t("Drafts not saved yet")))
        parts += [
            _article(
                reader,
                _moment(reader, d["updated_at"]),
                d["fields"],
                context,
                *([reader.t("Draft kept from another tab or device")] if d.get("copy_of") else []),
            )
            for d in data["drafts"]
        ]
    title = _tag("title", reader.t("Your Betterjournal data"))
    return (
        f'<!DOCTYPE html><html lang="{_e(reader.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{NOTHING_LOADED}">'
        f"{title}<style>{READING_STYLE}</style></head>"
        '<body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:40rem;margin:0 auto;'
        'padding:1rem;color:#1f2937"><main>' + "".join(parts) + "</main></body></html>"
    )
