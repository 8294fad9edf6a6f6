"""Session-wide fixtures shared by the socket and end-to-end tests."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from appserver import TEST_DIRS, RunningApp, launch_app

# The unit tests' helpers (unit_support) serve the socket and browser tests too.
sys.path.extend(str(d) for d in TEST_DIRS if str(d) not in sys.path)


# The app, once launched for this session (pytest_collection_modifyitems).
_LAUNCHED = pytest.StashKey[Callable[[], RunningApp]]()


def _launch(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], RunningApp]:
    """Start the app's build and start-up now; what is returned waits until it is ready.
    It sends its email to a real SMTP server the suite runs (app.mailbox), and clinic
    sign-in goes to a real OpenID provider the suite runs (app.oidc)."""
    from oidc_provider import OpenIDProvider
    from smtp_mailbox import Mailbox

    mailbox = Mailbox().start()
    provider = OpenIDProvider().start()
    app = launch_app(tmp_path_factory.mktemp("app"), test_kinds=True, mailbox=mailbox, oidc=provider)

    def ready() -> RunningApp:
        app.wait_until_ready()
        return app

    def stop() -> None:
        app.stop()
        mailbox.stop()
        provider.stop()

    ready.stop = stop  # type: ignore[attr-defined]
    return ready


def _needs_app(item: pytest.Item) -> bool:
    return "running_app" in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[Any]) -> None:
    """When some tests need the app, it starts building now, and the tests that don't need
    it run first (in their usual order) while it builds: the build costs the suite nothing."""
    if any(_needs_app(item) for item in items):
        items.sort(key=_needs_app)
        factory = config._tmp_path_factory  # type: ignore[attr-defined]  # the tmp_path_factory fixture's
        config.stash[_LAUNCHED] = _launch(factory)


def pytest_unconfigure(config: pytest.Config) -> None:
    ready = config.stash.get(_LAUNCHED, None)
    if ready is not None:
        ready.stop()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def running_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningApp]:
    """The app (launched at collection, see above), ready."""
    ready = request.config.stash.get(_LAUNCHED, None)
    if ready is None:  # collected without any test that asked for it (e.g. run by name)
        ready = request.config.stash[_LAUNCHED] = _launch(tmp_path_factory)
    yield ready()


def pytest_terminal_summary(terminalreporter) -> None:
    """How long the suite waited for fresh two-step codes (tests/two_step.py), if at all."""
    import two_step

    if two_step.waited:
        terminalreporter.write_line(
            f"two-step codes: waited {len(two_step.waited)} times, {sum(two_step.waited):.0f} s in all"
        )
