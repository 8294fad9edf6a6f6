"""The few ways a core call can refuse. Messages are safe to show and hold no input."""

from __future__ import annotations

import uuid

from betterjournal.i18n import N_, Message, Reader


class CoreError(Exception):
    """Base for refusals: a plain-language message, shown in the person's language.

    The message is an English template (the translation key) filled with `values` when it
    is shown (`Reader.t(error.message, **error.values)`); `str(error)` is the English.
    """

    def __init__(self, message: Message, **values: object) -> None:
        super().__init__(message)
        self.message, self.values = message, values

    def __str__(self) -> str:
        return Reader().t(self.message, **self.values)


class InvalidInput(CoreError):
    """The input was refused; nothing was written. `code` names the reason for routes;
    `field`, the form field that is wrong, when one is (its page can put the focus there)."""

    field = ""

    def __init__(self, message: Message, code: str = "invalid", **values: object) -> None:
        super().__init__(message, **values)
        self.code = code

    def in_field(self, field: str) -> InvalidInput:
        """The same refusal, naming the form field that is wrong."""
        self.field = field
        return self


class NotFound(CoreError):
    """Does not exist or is not yours to see: the same answer for both (AUTHZ-3)."""

    def __init__(self) -> None:
        super().__init__(N_("This item isn't available. It may have been removed or made private."))


class Denied(NotFound):
    """A refused attempt on an item: shown as NotFound, audited as DENIED.

    The core raises it and never writes the audit row itself: the unit of work that
    catches it (db.session_scope) rolls its own work back, then records the refusal in a
    transaction of its own, so a refusal is audited even when the caller's work is not kept.
    `subject_id`: whose record was tried, when the caller knows (a client named in the
    call); else the row names the owner of `item_id`, if it names anything (AUD-1).
    """

    def __init__(
        self,
        *,
        actor_id: uuid.UUID,
        action: str,
        item_id: uuid.UUID | None = None,
        subject_id: uuid.UUID | None = None,
    ) -> None:
        super().__init__()
        self.actor_id, self.action, self.item_id, self.subject_id = actor_id, action, item_id, subject_id


class EditedElsewhere(CoreError):
    """The item was saved (or `deleted`) from another device or tab after this editor opened
    it: the save would have replaced words the person never saw, or brought back what they
    deleted, so nothing was written."""

    def __init__(self, *, deleted: bool = False) -> None:
        super().__init__(
            N_(
                "This was changed in another tab or on another device after you opened it. "
                "Open it again to see the latest."
            )
        )
        self.deleted = deleted


class BegunElsewhere(CoreError):
    """An assignment's response was begun under another id than this page's (on another
    device or tab, which may have returned it): answers belong in that one, `response_id`."""

    def __init__(self, response_id: uuid.UUID) -> None:
        super().__init__(
            N_(
                "This homework was begun in another tab or on another device: its answers are "
                "shown here now. Check them, then go on."
            )
        )
        self.response_id = response_id


class AnswersChangedElsewhere(CoreError):
    """The answers held changed (on another device or tab) since this page last showed
    them: saved or returned now, they would not be what the person saw, so nothing was."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "These answers were changed in another tab or on another device since this page "
                "showed them. Here they are now: check them, then try again."
            )
        )


class SignInFailed(CoreError):
    """One message for unknown email, wrong password and disabled account (AUTHN-2)."""

    def __init__(self) -> None:
        super().__init__(N_("That email and password don't match an account. Please try again."))


class TooManyAttempts(CoreError):
    def __init__(self) -> None:
        super().__init__(N_("Too many attempts. Please wait a few minutes, then try again."))


class AuditUnavailable(CoreError):
    """The audit row could not be written, so nothing is shown (AUD-2)."""

    def __init__(self) -> None:
        super().__init__(N_("This can't be opened right now. Please try again in a moment."))


class KeyStoreUnavailable(CoreError):
    """The key store could not be reached: nothing that needs a data key is done."""

    def __init__(self) -> None:
        super().__init__(N_("This can't be done right now. Please try again in a few minutes."))
