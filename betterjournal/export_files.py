"""The files of "Download all my data" (PRIV-1): one zip, made in memory, holding the same
data twice: `betterjournal-data.json` for another program, and `betterjournal-data.html`
to read in any browser, in the person's language and time zone. Nothing is written to
disk. The person's own words are shown literally (escaped, never read as markup), and the
page loads nothing from anywhere (no script, no link, no image).
"""

from __future__ import annotations

import html
import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from betterjournal.i18n import N_, Message, Reader

JSON_NAME = "betterjournal-data.json"
HTML_NAME = "betterjournal-data.html"
# The page may load nothing and run nothing, whatever the text in it.
NOTHING_LOADED = "default-src 'none'; style-src 'unsafe-inline'"

# How each field reads on the page; the fields that hold structured values (JSON), shown as
# lists. Every other field is the person's own text, shown exactly as written.
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
STRUCTURED = frozenset({"tags", "scales", "own_scales", "worksheet", "answers", "not_done", "lines"})

KIND_TITLES: dict[str, Message] = {
    "journal_entry": N_("Journal entries"),
    "check_in": N_("Check-ins"),
    "homework_response": N_("Homework answers"),
    "session_agenda": N_("Session agendas"),
}


def archive(data: dict[str, Any], reader: Reader) -> bytes:
    """The zip of both files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(JSON_NAME, json.dumps(data, ensure_ascii=False, indent=2))
        bundle.writestr(HTML_NAME, page(data, reader))
    return buffer.getvalue()


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _moment(reader: Reader, value: str | None) -> str:
    return reader.when(datetime.fromisoformat(value)) if value else ""


def _value(value: object, names: dict[str, str]) -> str:
    """A structured value as nested lists; a tag's or scale's id as its name."""
    if isinstance(value, dict):
        rows = "".join(f"<dt>{_e(names.get(k, k))}</dt><dd>{_value(v, names)}</dd>" for k, v in value.items())
        return f"<dl>{rows}</dl>"
    if isinstance(value, list):
        return "<ul>" + "".join(f"<li>{_value(inner, names)}</li>" for inner in value) + "</ul>"
    text = names.get(value, value) if isinstance(value, str) else value
    return f'<p style="white-space:pre-wrap">{_e(text)}</p>'


def _field(name: str, text: str, names: dict[str, str]) -> str:
    if name in STRUCTURED:
        try:
            return _value(json.loads(text), names)
        except ValueError:
            pass  # shown as it is
    return _value(text, {})


def _article(reader: Reader, heading: str, fields: dict[str, str], names: dict[str, str], *lines: str) -> str:
    """One item: when, a line or two about it, then each field it has, by its label."""
    shown = "".join(
        f"<dt>{_e(reader.t(FIELD_LABELS[name]) if name in FIELD_LABELS else name)}</dt>"
        f"<dd>{_field(name, text, names)}</dd>"
        for name, text in fields.items()
        if text
    )
    said = "".join(f"<p>{_e(line)}</p>" for line in lines)
    return f"<article><h3>{_e(heading)}</h3>{said}<dl>{shown}</dl></article>"


def _tag(name: str, text: str) -> str:
    return f"<{name}>{_e(text)}</{name}>"


def page(data: dict[str, Any], reader: Reader) -> str:
    """The readable page: the account, the care team, then each kind's items, newest first."""
    account = data["account"]
    names = {label["id"]: label["name"] for label in (*data["check_in_tags"], *data["check_in_scales"])}
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
                _article(reader, _moment(reader, item["created_at"]), item["fields"], names, shared, *seen)
            )
    if data["homework_assigned"]:
        parts.append(_tag("h2", reader.t("Homework from your clinicians")))
        for given in data["homework_assigned"]:
            said = [reader.t("From {name}.", name=given["from"])]
            if given["due_on"]:
                said.append(reader.t("Due {day}.", day=reader.short_day(date.fromisoformat(given["due_on"]))))
            shown = {key: given[key] for key in ("worksheet", "instructions", "note", "comment")}
            parts.append(_article(reader, _moment(reader, given["assigned_at"]), shown, names, *said))
    if data["appointments"]:
        parts.append(_tag("h2", reader.t("Sessions")) + "<ul>")
        for session in data["appointments"]:
            moment = _moment(reader, session["held_at"] or session["starts_at"])
            parts.append(_tag("li", f"{session['clinician']} · {moment}"))
        parts.append("</ul>")
    if data["drafts"]:
        parts.append(_tag("h2", reader.t("Drafts not saved yet")))
        parts += [
            _article(reader, _moment(reader, d["updated_at"]), d["fields"], names) for d in data["drafts"]
        ]
    title = _tag("title", reader.t("Your Betterjournal data"))
    return (
        f'<!DOCTYPE html><html lang="{_e(reader.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{NOTHING_LOADED}">'
        f"{title}</head>"
        '<body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:40rem;margin:0 auto;'
        'padding:1rem;color:#1f2937"><main>' + "".join(parts) + "</main></body></html>"
    )
