"""Session-wide fixtures shared by the socket and end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from appserver import RunningApp, start_app


@pytest.fixture(scope="session")
def running_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    app = start_app(tmp_path_factory.mktemp("app"), test_kinds=True)
    try:
        yield app
    finally:
        app.stop()
