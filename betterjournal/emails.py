"""The emails Betterjournal sends, each in the person's language (sent by core/mail.py).

An email may be read by someone else, over a shoulder or in a shared mailbox, so none
says anything about health (PRIV-4): no entry text, no clinician's name, no subject that
names what the app is for. Each is a few short sentences, as plain text and as simple
HTML (escaped values, one button-like link, no images or outside styles).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace

from betterjournal.i18n import N_, Reader


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str
    # A link that stops this kind of message in one tap (List-Unsubscribe, RFC 8058).
    unsubscribe: str = ""


@dataclass(frozen=True)
class _Link:
    label: str
    url: str


# Inline styles only: many mail programs drop <style> blocks and never load outside CSS.
_BUTTON_STYLE = (
    "display:inline-block;padding:12px 20px;border-radius:6px;background:#0f766e;"
    "color:#ffffff;text-decoration:none;font-weight:600"
)
_BODY_STYLE = "font-family:sans-serif;font-size:16px;line-height:1.5;color:#1f2937;max-width:560px"


def _compose(reader: Reader, subject: str, *blocks: str | _Link) -> Email:
    """An email of paragraphs and links. In HTML the first link is a button and any later
    one a plain link; in text each link is its address on a line of its own."""
    footer = reader.t("This message was sent automatically. Replies to it are not read.")
    text_parts: list[str] = []
    html_parts: list[str] = []
    buttons = 0
    for block in blocks:
        if isinstance(block, _Link):
            text_parts.append(block.url)
            style = f' style="{_BUTTON_STYLE}"' if not buttons else ""
            buttons += 1
            html_parts.append(
                f'<p><a href="{html.escape(block.url)}"{style}>{html.escape(block.label)}</a></p>'
            )
        else:
            text_parts.append(block)
            html_parts.append(f"<p>{html.escape(block)}</p>")
    text_parts.append(f"-- \n{footer}")
    html_parts.append(f'<p style="font-size:13px;color:#6b7280">{html.escape(footer)}</p>')
    body = "\n".join(html_parts)
    page = (
        f'<!DOCTYPE html>\n<html lang="{html.escape(reader.language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(subject)}</title>\n</head>\n"
        f'<body>\n<div style="{_BODY_STYLE}">\n{body}\n</div>\n</body>\n</html>\n'
    )
    return Email(subject=subject, text="\n\n".join(text_parts) + "\n", html=page)


def set_password(reader: Reader, link: str) -> Email:
    """To a person whose request for early access was approved: choose a first password."""
    return _compose(
        reader,
        reader.t("Betterjournal: your account is ready"),
        reader.t("Your request for early access to Betterjournal was approved."),
        reader.t("To start, choose a password for your account:"),
        _Link(reader.t("Choose a password"), link),
        reader.t("This link works once, for 72 hours."),
    )


def confirm_email(reader: Reader, link: str) -> Email:
    """To a new account's address: confirm it to finish creating the account."""
    return _compose(
        reader,
        reader.t("Betterjournal: confirm your email address"),
        reader.t("To finish creating your Betterjournal account, confirm your email address:"),
        _Link(reader.t("Confirm my email address"), link),
        reader.t("This link works once, for 24 hours."),
        reader.t("If you didn't create an account, you can ignore this message."),
    )


def confirm_new_address(reader: Reader, link: str) -> Email:
    """To the new address a signed-in person asked for: it becomes theirs once confirmed."""
    return _compose(
        reader,
        reader.t("Betterjournal: confirm your new email address"),
        reader.t("To use this address for your Betterjournal account, confirm it:"),
        _Link(reader.t("Confirm my email address"), link),
        reader.t("This link works once, for 24 hours. Until then, your account keeps its current address."),
        reader.t("If you didn't ask for this, you can ignore this message."),
    )


def someone_tried(reader: Reader, sign_in_link: str, reset_link: str) -> Email:
    """To an address that has an account already, when someone registers with it again.

    The registration page says the same thing either way (AUTHN-2): only the owner of the
    address learns that it has an account.
    """
    return _compose(
        reader,
        reader.t("Betterjournal: your email address already has an account"),
        reader.t(
            "Someone tried to create a Betterjournal account with this email address, "
            "which already has one. Nothing was changed."
        ),
        reader.t("If it was you, you can sign in:"),
        _Link(reader.t("Sign in"), sign_in_link),
        reader.t("If you forgot your password, you can choose a new one:"),
        _Link(reader.t("Choose a new password"), reset_link),
        reader.t("If it wasn't you, there is nothing to do."),
    )


def reset_password(reader: Reader, link: str) -> Email:
    """A link to choose a new password, asked for on the sign-in page."""
    return _compose(
        reader,
        reader.t("Betterjournal: choose a new password"),
        reader.t("We received a request to choose a new password for your Betterjournal account."),
        _Link(reader.t("Choose a new password"), link),
        reader.t("This link works once, for 30 minutes."),
        reader.t("If you didn't ask for this, you can ignore this message: your password stays the same."),
    )


def password_changed(reader: Reader, reset_link: str) -> Email:
    """A notice after a password change, with a way back if it wasn't the owner."""
    return _compose(
        reader,
        reader.t("Betterjournal: your password was changed"),
        reader.t(
            # True of a change (the device that made it stays signed in) and of a reset alike.
            "The password of your Betterjournal account was changed, and every other device signed in "
            "to it was signed out."
        ),
        reader.t("If it wasn't you, choose a new password now:"),
        _Link(reader.t("Choose a new password"), reset_link),
    )


def email_change_asked(reader: Reader, reset_link: str) -> Email:
    """To the account's address when a move to another address is asked for: it happens only
    once that address confirms, and a new password stops it."""
    return _compose(
        reader,
        reader.t("Betterjournal: a change of email address was asked for"),
        reader.t(
            "Someone signed in to your Betterjournal account asked to move it to another email "
            "address. It moves only once the link sent to that address is followed."
        ),
        reader.t(
            "If it wasn't you, choose a new password now: that stops the change and signs out "
            "every device signed in to your account."
        ),
        _Link(reader.t("Choose a new password"), reset_link),
    )


def email_changed(reader: Reader) -> Email:
    """A notice to the old address after the account's address was changed."""
    return _compose(
        reader,
        reader.t("Betterjournal: your email address was changed"),
        reader.t(
            "The email address of your Betterjournal account was changed. "
            "Messages about the account now go to the new address."
        ),
        # Not "your administrator": a walk-through's client didn't know who that was. (Nor
        # "your clinician": no email says what the app is for.)
        reader.t("If it wasn't you, tell the person who invited you to Betterjournal right away."),
    )


# What changed, said as it is (a walk-through: one sentence said "turned off, or renewed").
_TWO_STEP_CHANGES = {
    "on": N_("Two-step sign-in was turned on for your Betterjournal account."),
    "off": N_("Two-step sign-in was turned off on your Betterjournal account."),
    "codes": N_(
        "New recovery codes were made for your Betterjournal account's two-step sign-in. "
        "The earlier ones no longer work."
    ),
}


def two_step_changed(reader: Reader, change: str) -> Email:
    """A notice after two-step sign-in was turned on (`change` "on") or off ("off"), or its
    recovery codes were renewed ("codes")."""
    return _compose(
        reader,
        reader.t("Betterjournal: your two-step sign-in was changed"),
        reader.t(_TWO_STEP_CHANGES[change]),
        reader.t("If it wasn't you, choose a new password now, from the sign-in page."),
    )


# What each reminder says: where to go, never what is there (no homework title, no entry).
_REMINDER_WORDS = {
    "check_in": (N_("A reminder from Betterjournal: a moment to check in?"), N_("Check in")),
    "journal": (N_("A reminder from Betterjournal: a moment to write?"), N_("Write")),
    "homework": (
        N_("A reminder from Betterjournal: something on your list is due today."),
        N_("Open your list"),
    ),
}


def reminder_words(kind: str) -> tuple[str, str]:
    """A reminder's sentence and its link's label, in English (marked for translation)."""
    return _REMINDER_WORDS[kind]


def reminder(reader: Reader, kind: str, link: str, off_link: str) -> Email:
    """A reminder the person asked for (check-in, writing, homework due), with one tap to stop."""
    sentence, label = reminder_words(kind)
    email = _compose(
        reader,
        reader.t("A reminder from Betterjournal"),
        reader.t(sentence),
        _Link(reader.t(label), link),
        reader.t("You asked for these reminders. To turn them off, open this link:"),
        _Link(reader.t("Turn off reminders"), off_link),
    )
    return replace(email, unsubscribe=off_link)
