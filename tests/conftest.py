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


# `make test` runs the suite in two processes (pytest-xdist, `-n 2`), each against an app
# of its own: the browser tests in one, in their order (test_zz_plaintext_scan last, over
# that app's files and every marker its tests wrote); the unit tests, then the socket tests
# (their own scan last) in the other (`SocketTestsLast`). A browser test spends much of its
# time waiting on the page, so the two cores share the work; one browser at a time keeps
# the machine calm enough for the browser tests' timing.
_FOLDERS_KEPT_TOGETHER = ("e2e", "sockets")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """pytest-xdist's own scope scheduling, with each of those folders one unit of work, run
    in order by one process. (Its `--dist loadgroup` marks no longer group anything: it
    renames the tests, which pytest 9.2 ignores, so the browser tests ran in both
    processes at once, two browsers, and one scan saw half the markers.)"""
    from collections import OrderedDict

    from xdist.scheduler import LoadScopeScheduling

    class SocketTestsLast(OrderedDict):
        """The work queue, with the socket tests after every unit test: the process that
        runs them starts its app once the browser tests' app is built, rather than making
        that one wait for its own build (one at a time, tests/appserver.py): the browser
        tests are the longer half, and started about 40 s late."""

        def __setitem__(self, key, value) -> None:
            super().__setitem__(key, value)
            if "sockets" in self:
                self.move_to_end("sockets")

    class ByFolder(LoadScopeScheduling):
        def __init__(self, config: pytest.Config, log) -> None:
            super().__init__(config, log)
            self.workqueue = SocketTestsLast()

        def _split_scope(self, nodeid: str) -> str:
            folder = nodeid.split("::")[0].split("/")[-2:-1]
            return folder[0] if folder and folder[0] in _FOLDERS_KEPT_TOGETHER else nodeid

    return ByFolder(config, log)


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
