"""Argument checks shared by every handler and route (INPUT-1, INPUT-2).

Handlers receive whatever a browser (or anyone with a socket) sends; these functions
turn it into clean values or raise InvalidInput with a message a person can act on.
Messages never repeat the input.
"""

from __future__ import annotations

import re
import unicodedata
import uuid

from betterjournal.core.errors import InvalidInput, NotFound
from betterjournal.i18n import N_, Message


def draft_limit(limit: int) -> int:
    """How long a text may be in a draft: a fifth more than it may be saved, so that what was
    typed or pasted past the limit is not lost while the person shortens it."""
    return limit + limit // 5


TITLE_MAX = 200
BODY_MAX = 50_000
BODY_DRAFT_MAX = draft_limit(BODY_MAX)  # only a saved entry must fit in BODY_MAX
NAME_MAX = 100
EMAIL_MAX = 254

# C0/C1 controls except tab and newline; carriage returns are normalised first.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def clean_text(value: object, *, label: Message, max_length: int, required: bool = True) -> str:
    """Validate free text: a string, no control characters or lone surrogates, NFC, length."""
    if not isinstance(value, str):
        raise InvalidInput(N_("{label} must be text."), label=label)
    if _SURROGATE.search(value):
        raise InvalidInput(N_("{label} contains characters that can't be saved."), label=label)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(value):
        raise InvalidInput(N_("{label} contains characters that can't be saved."), label=label)
    value = unicodedata.normalize("NFC", value)
    if required and not value.strip():
        raise InvalidInput(N_("{label} can't be empty."), label=label)
    if len(value) > max_length:
        raise InvalidInput(
            N_("{label} is too long: the limit is {limit} characters."), label=label, limit=max_length
        )
    return value


def can_hold(value: object, *, max_length: int) -> bool:
    """Whether text may sit in an editor's state while typed (it will be validated on save).

    Lone surrogates can't be encoded for the browser at all, so they are never held.
    """
    return isinstance(value, str) and len(value) <= max_length and not _SURROGATE.search(value)


def clean_line(value: object, *, label: Message, max_length: int, required: bool = True) -> str:
    """Single-line text (titles, names): like clean_text, without newlines, trimmed."""
    value = clean_text(value, label=label, max_length=max_length, required=required)
    if "\n" in value or "\t" in value:
        raise InvalidInput(N_("{label} must be on one line."), label=label)
    return value.strip()


# Letters drawn as nothing (Hangul fillers, the braille blank).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _unseen(character: str) -> bool:
    """A mark that changes how the text around it is shown without being seen itself (every
    format character: direction marks, overrides and isolates, zero-width spaces and joiners,
    the soft hyphen, tag characters), a line or paragraph separator, or a blank letter."""
    return unicodedata.category(character) in ("Cf", "Zl", "Zp") or character in _BLANK_LETTERS


def clean_name(value: object, *, label: Message, max_length: int) -> str:
    """A person's name: one line, and nothing in it that is not seen: in a name, such marks
    could make one client's name read as another's on a clinician's list (an attack review
    found six that passed a shorter list)."""
    name = clean_line(value, label=label, max_length=max_length)
    if any(map(_unseen, name)):
        raise InvalidInput(N_("{label} contains characters that can't be saved."), label=label)
    return name


def clean_email(value: object) -> str:
    email = clean_line(value, label=N_("Email"), max_length=EMAIL_MAX).lower()
    if not _EMAIL.match(email):
        raise InvalidInput(N_("Enter an email address like name@example.com."), code="email")
    return email


def parse_id(value: object) -> uuid.UUID:
    """An id from a payload or URL. Malformed ids get the same answer as unknown ones."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str) or len(value) != 36:
        raise NotFound()
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound() from None


def parse_bool(value: object, *, label: Message) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(N_("{label} must be on or off."), label=label)
    return value
