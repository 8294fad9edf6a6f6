"""`betterjournal mail`: how a local run (no mail server) reads the links it was sent."""

from __future__ import annotations

from typer.testing import CliRunner

from betterjournal import emails, outbox
from betterjournal.cli import app
from betterjournal.core import mail
from betterjournal.db import session_scope
from betterjournal.i18n import Reader
from betterjournal.settings import get_settings

LINK = "http://localhost:3000/confirm?token=abcdefghijklmnopqrstuvwxyz0123456789-_ABCDEFG"


def test_the_newest_emails_print_as_plain_text_with_whole_links(db) -> None:
    runner = CliRunner()
    assert "No email" in runner.invoke(app, ["mail"]).output
    with session_scope() as session:
        mail.send(session, to="camille@example.ca", email=emails.confirm_email(Reader(), LINK), for_user=None)
    assert outbox.deliver_due() == 1  # the default transport: the outbox folder
    assert len(list(get_settings().outbox_dir.glob("*.eml"))) == 1
    shown = runner.invoke(app, ["mail"])
    assert shown.exit_code == 0
    assert "To: camille@example.ca" in shown.output
    assert LINK in shown.output  # whole, not quoted-printable
