"""Session-wide fixtures shared by the socket and end-to-end tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from appserver import TEST_DIRS, RunningApp, start_app

# The unit tests' helpers (unit_support) serve the socket and browser tests too.
sys.path.extend(str(d) for d in TEST_DIRS if str(d) not in sys.path)


@pytest.fixture(scope="session")
def running_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app, sending its email to a real SMTP server the suite runs (app.mailbox), with
    clinic sign-in against a real OpenID provider the suite runs (app.oidc)."""
    from oidc_provider import OpenIDProvider
    from smtp_mailbox import Mailbox

    mailbox = Mailbox().start()
    provider = OpenIDProvider().start()
    app = start_app(tmp_path_factory.mktemp("app"), test_kinds=True, mailbox=mailbox, oidc=provider)
    try:
        yield app
    finally:
        app.stop()
        mailbox.stop()
        provider.stop()


def pytest_terminal_summary(terminalreporter) -> None:
    """How long the suite waited for fresh two-step codes (tests/two_step.py), if at all."""
    import two_step

    if two_step.waited:
        terminalreporter.write_line(
            f"two-step codes: waited {len(two_step.waited)} times, {sum(two_step.waited):.0f} s in all"
        )
