"""A real SMTP server for the tests (aiosmtpd), to receive what the app sends.

`Mailbox().start()` listens on 127.0.0.1 and a free port; point the app at it with
BJ_SMTP_URL=mailbox.url. `stop()` and `start()` again keep the port, so a test can take
the mail server away and bring it back (the outbox's outage test).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from typing import Any, cast
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Collector:
    """The aiosmtpd handler (it calls `handle_DATA`): every message accepted, parsed, kept in
    arrival order."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.received: list[tuple[tuple[str, ...], EmailMessage]] = []
        self.refused: dict[str, str] = {}  # recipient -> the reply that refuses it

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        with self.lock:
            reply = self.refused.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        message = cast(EmailMessage, BytesParser(policy=default).parsebytes(raw))
        recipients = tuple(address.lower() for address in envelope.rcpt_tos)
        with self.lock:
            self.received.append((recipients, message))
            self.lock.notify_all()
        return "250 Message accepted for delivery"


class Mailbox:
    """An SMTP server on 127.0.0.1 that keeps every message it receives."""

    def __init__(self, port: int | None = None, *, credentials: tuple[str, str] | None = None) -> None:
        """With `credentials` (user, password), the server offers AUTH (over plain SMTP: it
        is on the loopback, for tests only) and counts the successful logins in `logins`."""
        self.port = port or _free_port()
        self.credentials = credentials
        self.logins = 0
        self._collector = _Collector()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def _authenticate(self, *args: Any) -> AuthResult:
        data = args[-1]  # aiosmtpd passes (server, session, envelope, mechanism, auth data)
        if self.credentials is not None and isinstance(data, LoginPassword):
            user, password = self.credentials
            if data.login == user.encode() and data.password == password.encode():
                self.logins += 1
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> Mailbox:
        if self._controller is None:
            # A new controller each time: one that was stopped doesn't start again.
            auth: dict[str, Any] = {}
            if self.credentials is not None:
                auth = {"authenticator": self._authenticate, "auth_require_tls": False}
            controller = Controller(self._collector, hostname="127.0.0.1", port=self.port, **auth)
            controller.start()
            self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Mailbox:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._collector.lock:
            return [message for _, message in self._collector.received]

    def messages_to(self, to: str) -> list[EmailMessage]:
        """Every message whose envelope named `to` (any case), in arrival order."""
        wanted = to.lower()
        with self._collector.lock:
            return [message for recipients, message in self._collector.received if wanted in recipients]

    def refuse(self, to: str, reply: str = "550 5.1.1 No such mailbox") -> None:
        """Answer RCPT TO:<to> with `reply` from now on (a 4xx reply is temporary)."""
        with self._collector.lock:
            self._collector.refused[to.lower()] = reply

    def accept(self, to: str) -> None:
        """Take messages to `to` again."""
        with self._collector.lock:
            self._collector.refused.pop(to.lower(), None)

    def clear(self) -> None:
        with self._collector.lock:
            self._collector.received.clear()

    def wait_for(self, to: str, *, subject_contains: str = "", timeout: float = 30) -> EmailMessage:
        """The first message to `to` whose subject contains `subject_contains`, waiting for
        it to arrive for up to `timeout` seconds (AssertionError if it doesn't)."""
        deadline = time.monotonic() + timeout
        with self._collector.lock:
            while True:
                for message in self._matching(to, subject_contains):
                    return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no email to {to} with {subject_contains!r} within {timeout} s")
                self._collector.lock.wait(remaining)

    def _matching(self, to: str, subject_contains: str) -> list[EmailMessage]:
        wanted = to.lower()
        return [
            message
            for recipients, message in self._collector.received
            if wanted in recipients and subject_contains in str(message["Subject"] or "")
        ]


def text_of(message: EmailMessage) -> str:
    """The plain-text part of a message (line ends as \\n, as the app wrote it)."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no plain-text part"
    return cast(EmailMessage, part).get_content().replace("\r\n", "\n")


def html_of(message: EmailMessage) -> str:
    """The HTML part of a message (line ends as \\n)."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "the message has no HTML part"
    return cast(EmailMessage, part).get_content().replace("\r\n", "\n")


_URL = re.compile(r"https?://[^\s<>\"']+")


def link_in(message: EmailMessage, path: str) -> str:
    """The first link in the message's plain text whose path starts with `path`."""
    for url in _URL.findall(text_of(message)):
        if urlsplit(url).path.startswith(path):
            return url
    raise AssertionError(f"no link to {path} in the email")
