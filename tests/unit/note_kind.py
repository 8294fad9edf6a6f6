"""A second item kind, for tests only: a "note" with one shared field and one private one.

It proves the platform is generic: everything journal entries do (save, drafts, paging,
sharing, "seen", delete, refusals) works for a kind the core has never heard of, and a
field declared `shared=False` never reaches a clinician (AUTHZ-8).

The note's table lives in its own metadata, so the app's schema checks (migrations,
data inventory) never see it; `create_note_table` adds it to a test's database. The kind
is registered once per process, when this module is first imported.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Column, Engine, ForeignKey, LargeBinary
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from betterjournal.core import items
from betterjournal.core.validation import clean_line, clean_text
from betterjournal.i18n import N_
from betterjournal.models import ClientItem

NOTE_KIND = "note"
NOTE_TABLE = "test_note_item"
TEXT_MAX = 2_000
TAG_MAX = 100


class _TestOnly(SQLModel, registry=registry()):
    """Tables in a metadata of their own: not the app's (SQLModel.metadata)."""


class NoteItem(_TestOnly, table=True):
    __tablename__ = NOTE_TABLE  # type: ignore[assignment]
    __encrypted__ = ("text_ct", "private_tag_ct")

    item_id: uuid.UUID = Field(
        # The column object, not "client_item.id": it lives in the app's metadata.
        sa_column=Column(
            ForeignKey(ClientItem.__table__.c.id, ondelete="CASCADE"),  # type: ignore[attr-defined]
            primary_key=True,
        )
    )
    text_ct: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    private_tag_ct: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


def clean_note_text(value: object) -> str:
    return clean_text(value, label=N_("Note"), max_length=TEXT_MAX)


def clean_note_text_draft(value: object) -> str:
    return clean_text(value, label=N_("Note"), max_length=TEXT_MAX, required=False)


def clean_tag(value: object) -> str:
    return clean_line(value, label=N_("Tag"), max_length=TAG_MAX, required=False)


def _register() -> items.Kind:
    # Guarded: a second import of this file under another module name must not register twice.
    if NOTE_KIND in {kind.name for kind in items.registered()}:
        return items.kind_named(NOTE_KIND)
    return items.register(
        NOTE_KIND,
        NoteItem,
        (
            items.ItemField("text", clean=clean_note_text, clean_draft=clean_note_text_draft),
            items.ItemField("private_tag", clean=clean_tag, clean_draft=clean_tag, shared=False),
        ),
    )


NOTE = _register()


def create_note_table(engine: Engine) -> None:
    NoteItem.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]
