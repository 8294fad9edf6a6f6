"""The real app in production mode, started once per test session on a free port.

Used by the end-to-end tests, the raw Socket.IO attack tests and the benchmarks. The
app gets its own data directory (database, key file) and its log goes to a file, so
tests can scan both for plaintext afterwards.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# core() swaps this process's BJ_* environment: one caller at a time.
_CORE_LOCK = threading.RLock()
VENV_BIN = Path(sys.executable).parent
START_TIMEOUT_SECONDS = 600
_STARTS = Path(tempfile.gettempdir()) / "betterjournal-app-start.lock"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningApp:
    url: str
    port: int
    data_dir: Path
    log_path: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None
    markers: set[str] = field(default_factory=set)
    mailbox: Any = None  # the test suite's SMTP server (tests/smtp_mailbox.py), when it has one
    oidc: Any = None  # the test suite's OpenID provider (tests/oidc_provider.py), when it has one

    @property
    def database_files(self) -> list[Path]:
        """The database and the key store, with their write-ahead logs."""
        found = [*self.data_dir.glob("betterjournal.db*"), *self.data_dir.glob("keys.db*")]
        return [p for p in found if p.is_file()]

    def stored_places(self) -> dict[str, bytes]:
        """Everything the app has written that could hold words in the clear: its database
        and key store (with their write-ahead logs), its log, and any state store on disk."""
        places = {path.name: path.read_bytes() for path in self.database_files}
        places["app log"] = self.log_path.read_bytes()
        for states_dir in (PROJECT_ROOT / ".states", self.data_dir / "web" / ".states"):
            for path in states_dir.rglob("*") if states_dir.exists() else []:
                if path.is_file():
                    places[f"state store {path.name}"] = path.read_bytes()
        return places

    def leaked_markers(self, places: dict[str, bytes]) -> list[tuple[str, str]]:
        """Each marker written by the tests that is readable in one of `places`, and where."""
        return [
            (marker, where)
            for marker in self.markers
            for where, content in places.items()
            if marker.encode() in content or marker.encode("utf-16-le") in content
        ]

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(VENV_BIN / "betterjournal"), *args],
            input=stdin,
            env=self.env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )

    def create_user(self, role: str, email: str, name: str, password: str, *, two_step: bool = True) -> None:
        """An account made as the operator's console command makes it (`accounts.create_user`,
        in this process: the command's own start costs seconds a user, and test_two_step_gate
        runs the command itself); a clinician or admin also sets up two-step sign-in
        (tests/two_step.py), which the app requires of them, unless `two_step` is False (their
        first sign-in then leads to setting it up)."""
        from betterjournal.core import accounts
        from betterjournal.db import session_scope
        from betterjournal.models import Role

        with _CORE_LOCK, self.core(), session_scope() as session:
            accounts.create_user(session, email=email, display_name=name, password=password, role=Role(role))
        if two_step and role in ("clinician", "admin"):
            self.enrol_two_step(email)

    def enrol_two_step(self, email: str) -> None:
        import two_step
        from sqlmodel import select

        from betterjournal.db import session_scope
        from betterjournal.models import User

        with _CORE_LOCK, self.core():
            with session_scope() as session:
                user_id = session.exec(select(User.id).where(User.email == email.lower())).one()
            two_step.enrol(user_id, email)

    @contextlib.contextmanager
    def core(self) -> Iterator[None]:
        """Run core functions in this process against the app's database and key (to seed
        data untimed, or to check what the app wrote)."""
        from unit_support import clear_caches

        saved = {k: v for k, v in os.environ.items() if k.startswith("BJ_")}
        for name in saved:
            del os.environ[name]
        os.environ.update({k: v for k, v in self.env.items() if k.startswith("BJ_")})
        clear_caches()
        try:
            yield
        finally:
            for name in [k for k in os.environ if k.startswith("BJ_")]:
                del os.environ[name]
            os.environ.update(saved)
            clear_caches()

    def marker(self, label: str) -> str:
        """A unique string to write as user text; the plaintext scan looks for every one."""
        value = f"MARKER-{label}-{os.urandom(6).hex()}"
        self.markers.add(value)
        return value

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


TEST_DIRS = (PROJECT_ROOT / "tests", PROJECT_ROOT / "tests" / "unit")


def app_env(data_dir: Path, port: int, *, test_kinds: bool = False, smtp_url: str = "") -> dict[str, str]:
    """The app's environment; `test_kinds` also registers the tests' "note" kind in it;
    `smtp_url` sends its email to the tests' SMTP server (else to its outbox folder)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BJ_")}
    if smtp_url:
        env["BJ_SMTP_URL"] = smtp_url
    if test_kinds:
        env["BJ_TEST_KINDS"] = "app_kinds"
        env["PYTHONPATH"] = os.pathsep.join([*map(str, TEST_DIRS), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        )
    env.update(
        BJ_DATA_DIR=str(data_dir),
        BJ_PORT=str(port),
        BJ_PUBLIC_URL=f"http://localhost:{port}",
        BJ_REMINDER_ROUND_SECONDS="1",  # a reminder due shows within a second or two
        BJ_SESSION_ROUND_SECONDS="1",  # a tab whose session ran out says so in a second or two
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        REFLEX_USE_NPM="1",
        REFLEX_CHECK_LATEST_VERSION="false",
        PYTHONUNBUFFERED="1",
        # Each app builds its own frontend, so concurrent runs never share a build dir.
        REFLEX_WEB_WORKDIR=str(data_dir / "web"),
    )
    return env


def wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited early; see {log_path}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    # The frontend is served once the build finished; check a page too.
                    with urllib.request.urlopen(f"{url}/signin/", timeout=5) as page:  # noqa: S310
                        if page.status == 200 and page.read():
                            return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the app did not start within {timeout:.0f} s; see {log_path}")


def start_app(
    data_dir: Path,
    port: int | None = None,
    *,
    test_kinds: bool = False,
    mailbox: Any = None,
    oidc: Any = None,
) -> RunningApp:
    """The app in production mode; with `oidc` (a started tests/oidc_provider.py provider),
    clinic sign-in is configured against it."""
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = app_env(data_dir, port, test_kinds=test_kinds, smtp_url=mailbox.url if mailbox else "")
    if oidc is not None:
        oidc.register_redirect_uri(f"http://localhost:{port}/api/auth/oidc/callback")
        env.update(
            BJ_OIDC_ISSUER=oidc.issuer,
            BJ_OIDC_CLIENT_ID=oidc.client_id,
            BJ_OIDC_CLIENT_SECRET=oidc.client_secret,
        )
    app = RunningApp(
        url=f"http://localhost:{port}",
        port=port,
        data_dir=data_dir,
        log_path=data_dir / "app.log",
        env=env,
        mailbox=mailbox,
        oidc=oidc,
    )
    app.cli("init")
    log = app.log_path.open("w")
    # One app starts at a time on this machine: each build copies the project's
    # reflex.lock/ files in and back out (not atomically), and the suite's two processes
    # (make test) each start one.
    with _STARTS.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        app.process = subprocess.Popen(
            [str(VENV_BIN / "reflex"), "run", "--env", "prod", "--loglevel", "info"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until_healthy(app.url, app.process, app.log_path, START_TIMEOUT_SECONDS)
        except BaseException:
            app.stop()
            raise
    return app
