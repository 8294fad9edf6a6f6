"""CRYPTO-5: after the browser run, no marker the tests wrote as entry text is readable
in the database file, its WAL, the app's log, a state store on disk or browser storage.

Named test_zz_ so it runs after the journey tests in this directory have written their
markers and closed their browsers (which collects their storage).
"""

from __future__ import annotations

import pytest
from appserver import PROJECT_ROOT, RunningApp

pytestmark = pytest.mark.e2e


def _places(app: RunningApp) -> dict[str, bytes]:
    places = {path.name: path.read_bytes() for path in app.database_files}
    places["app log"] = app.log_path.read_bytes()
    for states_dir in (PROJECT_ROOT / ".states", app.data_dir / "web" / ".states"):
        for path in states_dir.rglob("*") if states_dir.exists() else []:
            if path.is_file():
                places[f"state store {path.name}"] = path.read_bytes()
    return places


def test_no_plaintext_anywhere(running_app: RunningApp, watch) -> None:
    assert len(running_app.markers) >= 5, "the journey tests should have written markers"
    places = _places(running_app)
    assert any(name.endswith(".db") for name in places), places.keys()
    assert any(name.endswith("-wal") for name in places), "expected a WAL file (WAL mode)"
    assert watch.storage_dumps, "browser storage was not collected"
    places["browser storage"] = "\n".join(watch.storage_dumps).encode()
    leaks = [
        (marker, where)
        for marker in running_app.markers
        for where, content in places.items()
        if marker.encode() in content or marker.encode("utf-16-le") in content
    ]
    assert leaks == []
