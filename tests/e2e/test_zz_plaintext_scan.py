"""CRYPTO-5: after the browser run, no marker the tests wrote as entry text is readable
in the database file, its WAL, the app's log, a state store on disk or browser storage.

Named test_zz_ so it runs after the journey tests in this directory have written their
markers and closed their browsers (which collects their storage).
"""

from __future__ import annotations

import pytest
from appserver import RunningApp

pytestmark = pytest.mark.e2e


def test_no_plaintext_anywhere(running_app: RunningApp, watch) -> None:
    assert len(running_app.markers) >= 5, "the journey tests should have written markers"
    places = running_app.stored_places()
    assert any(name.endswith(".db") for name in places), places.keys()
    assert any(name.endswith("-wal") for name in places), "expected a WAL file (WAL mode)"
    assert watch.storage_dumps, "browser storage was not collected"
    places["browser storage"] = "\n".join(watch.storage_dumps).encode()
    assert running_app.leaked_markers(places) == []
