"""CRYPTO-5 for the socket tests' app (make test gives them one of their own): after every
socket test, no marker they wrote as a person's words is readable in the database file, its
WAL, the key store, the app's log or a state store on disk.

Named test_zz_ so it runs after the other socket tests (in order, in one process); its name
is its own (test files of the same name in two folders without __init__.py clash).
"""

from __future__ import annotations

from appserver import RunningApp


def test_no_plaintext_anywhere(running_app: RunningApp) -> None:
    assert len(running_app.markers) >= 20, "the socket tests should have written markers"
    places = running_app.stored_places()
    assert any(name.endswith(".db") for name in places), places.keys()
    assert running_app.leaked_markers(places) == []
