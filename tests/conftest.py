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


# `make test` runs the suite in two processes (pytest-xdist, `--dist loadgroup`), each
# against an app of its own: the browser tests in one, in their order (test_zz_plaintext_scan
# last, over that app's files); the socket tests in the other, then the unit tests. A browser
# test spends much of its time waiting on the page, so the two cores share the work; one
# browser at a time keeps the machine calm enough for the browser tests' timing.
_GROUPS = {"e2e": "browser", "sockets": "sockets"}


def _group(item: pytest.Item) -> str | None:
    return _GROUPS.get(item.path.parent.name)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        group = _group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker's two-step pauses, handed to the process that prints the summary."""
    import two_step

    output = getattr(session.config, "workeroutput", None)  # set in a pytest-xdist worker
    if output is not None:
        output["two_step_waited"] = list(two_step.waited)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    import two_step

    two_step.waited.extend(getattr(node, "workeroutput", {}).get("two_step_waited", []))


def pytest_terminal_summary(terminalreporter) -> None:
    """How long the suite waited for fresh two-step codes (tests/two_step.py), if at all."""
    import two_step

    if two_step.waited:
        terminalreporter.write_line(
            f"two-step codes: waited {len(two_step.waited)} times, {sum(two_step.waited):.0f} s in all"
        )
