"""Imported by the app under test (BJ_TEST_KINDS=app_kinds): the tests' "note" kind.

Registers the kind (tests/unit/note_kind.py), creates its table in the app's database and
says how it reads on screen, so the app's generic handlers (share, revoke, delete) serve
it like any kind, and the socket attacks in tests/sockets/test_every_kind.py cover it.
"""

from __future__ import annotations

from note_kind import NOTE, create_note_table

from betterjournal import routes, views
from betterjournal.db import get_engine
from betterjournal.i18n import N_

create_note_table(get_engine())
views.KIND_VIEWS[NOTE.name] = views.KindView(
    title=lambda fields: "",
    body=lambda fields: fields.get("text", ""),
    words=views.KindWords(
        untitled=N_("Note"), newer=N_("Newer notes"), older=N_("Older notes"), deleted=N_("Note deleted.")
    ),
    home=routes.JOURNAL,
)
