"""Tables, and the small view objects that leave the core.

Client items (journal entries now; check-ins, homework answers and session agendas
next) all have a row in `client_item`; the kind's own table shares its primary key.
Sharing, "seen" and revocation hang off `client_item`, so every kind reuses them.
Columns ending in `_ct` hold AES-256-GCM ciphertext (see crypto.py); everything
else stored is listed in docs/data-inventory.md.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Generic, TypeVar

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, LargeBinary, String, Uuid, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class UuidText(TypeDecorator):
    """A UUID column read as its text ('1be510b1-b673-4a81-…') rather than a uuid.UUID, for
    ids a long list only puts in links and compares (making each a uuid.UUID and then text
    again took about 5 µs a row). Use with `type_coerce` in a query."""

    impl = Uuid
    cache_ok = True

    def result_processor(self, dialect, coltype):
        def process(value):
            if isinstance(value, str) and len(value) == 32:  # SQLite keeps the 32 hex digits
                return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
            return None if value is None else str(value)

        return process


def _ts(*, nullable: bool = False, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Column:
    return Column(ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index)


def _ciphertext(*, nullable: bool = False) -> Column:
    return Column(LargeBinary, nullable=nullable)


class Role(enum.StrEnum):
    CLIENT = "client"
    CLINICIAN = "clinician"
    ADMIN = "admin"


class AuditAction(enum.StrEnum):
    VIEW_ITEM = "view_item"  # the owner opening their own item (audited when refused)
    WRITE_ITEM = "write_item"  # the owner saving or autosaving (audited when refused)
    VIEW_SHARED_ITEM = "view_shared_item"
    VIEW_SHARED_LIST = "view_shared_list"
    SHARE = "share"
    REVOKE = "revoke"
    DELETE = "delete"
    LINK = "link"
    UNLINK = "unlink"
    ASSIGN = "assign"  # a clinician assigning, editing or withdrawing homework, or a check-in scale
    COMMENT = "comment"  # a clinician commenting on, or marking reviewed, a returned response
    CALL = "call"  # a signed-in person calling a handler their role may not (always denied)
    SCHEDULE = "schedule"  # a clinician setting or clearing an appointment, or marking one held
    DISCUSS = "discuss"  # a clinician ticking an agenda line as discussed (or unticking it)
    EXPORT = "export"  # a client making a file of their own items (a summary PDF, all their data)
    CHECK_CODE = "check_code"  # a signed-in client trying an invitation code (audited when wrong)
    ADMIT = "admit"  # an admin checking, approving or declining a request for early access
    ERASE = "erase"  # a client deleting their account: the one row left about them (PRIV-3)


class AuditOutcome(enum.StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"


# --- accounts -----------------------------------------------------------------------


class User(SQLModel, table=True):
    __tablename__ = "user_account"  # type: ignore[assignment]

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=100)
    role: Role
    password_hash: str = Field(max_length=200)
    is_active: bool = True
    # The person's choices (i18n.LANGUAGES, an IANA zone); None until they first sign in,
    # when their browser's language and time zone are taken as the first choice.
    language: str | None = Field(default=None, max_length=8)
    time_zone: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # None until the person follows the link in the confirmation email (or sets their
    # first password from the approval email): no sign-in before then.
    email_confirmed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # A new address the person asked for, theirs once they follow the link sent to it.
    pending_email: str | None = Field(default=None, max_length=254)
    # TOTP (core/mfa.py): the secret sealed under the person's data key once confirmed;
    # one being set up waits in totp_pending_ct; the last time step accepted (no replay).
    totp_secret_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    totp_pending_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    # The digest of the session token that began that setup: only it is shown the secret and
    # may confirm it (an attack review: a second sign-in with the password saw it too).
    totp_pending_for: str | None = Field(default=None, max_length=64)
    totp_last_step: int | None = None
    # Clinic sign-in (oidc.py): the provider and the digest of its subject (`sub`) for this
    # person, kept once a clinic sign-in was finished with the app's two-step code. Later
    # clinic sign-ins are matched by the subject, and an email naming this account with
    # another subject of that provider is refused (an attack review: a provider that lets
    # people change their address would otherwise hand them the account).
    clinic_issuer: str | None = Field(default=None, max_length=255)
    clinic_subject: str | None = Field(default=None, max_length=64, unique=True, index=True)

    __encrypted__ = ("totp_secret_ct", "totp_pending_ct")


class SessionStage(enum.StrEnum):
    """How far a sign-in got. Only a FULL session is anyone's identity (resolve_session)."""

    FULL = "full"
    MFA_CODE = "mfa_code"  # password right; the authenticator code comes next
    MFA_SETUP = "mfa_setup"  # a clinician or admin without MFA: setting it up is all they can do


class AuthSession(SQLModel, table=True):
    __tablename__ = "auth_session"  # type: ignore[assignment]

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    stage: SessionStage = SessionStage.FULL
    device: str = Field(default="", max_length=80)  # "Firefox on Android": words, never an address
    # A client's editor words that came with the password, held (sealed under their data
    # key) until the MFA step makes the session theirs and puts them back in their draft.
    unsent_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    # A clinic sign-in's subject digest (User.clinic_subject), bound to the person when the
    # two-step code makes this session theirs: a clinic sign-in alone binds nothing.
    clinic_subject: str | None = Field(default=None, max_length=64)

    __encrypted__ = ("unsent_ct",)


class TokenPurpose(enum.StrEnum):
    CONFIRM_EMAIL = "confirm_email"
    SET_PASSWORD = "set_password"  # noqa: S105 - the first password, after an approved request
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a password


class AccountToken(SQLModel, table=True):
    """A single-use link sent by email (core/tokens.py). Only the token's hash is stored."""

    __tablename__ = "account_token"  # type: ignore[assignment]

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    purpose: TokenPurpose
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class RecoveryCode(SQLModel, table=True):
    """One of ten single-use MFA recovery codes, stored as its hash."""

    __tablename__ = "recovery_code"  # type: ignore[assignment]

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    code_hash: str = Field(max_length=64, unique=True, index=True)
    used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class AccessStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class AccessRequest(SQLModel, table=True):
    """A request for early access from the public home page, for an admin to decide."""

    __tablename__ = "access_request"  # type: ignore[assignment]

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    name: str = Field(max_length=100)
    email: str = Field(max_length=254, index=True)
    role: Role
    language: str = Field(max_length=8)
    # Clinicians only: what the admin checks in the college's public register.
    profession: str | None = Field(default=None, max_length=100)
    province: str | None = Field(default=None, max_length=2)
    college: str | None = Field(default=None, max_length=200)
    registration_number: str | None = Field(default=None, max_length=40)
    status: AccessStatus = AccessStatus.PENDING
    register_checked_by: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    )
    register_checked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    decided_by: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    )
    decided_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class OutboxMessage(SQLModel, table=True):
    """One email waiting to be sent (betterjournal/outbox.py). The whole message, recipient
    included, is sealed under the deployment's outbox key; it is dropped once sent."""

    __tablename__ = "outbox_message"  # type: ignore[assignment]
    __encrypted__ = ("message_ct",)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    message_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    claimed_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True, index=True))
    # The relay refused it for good (a 5xx reply): not tried again, its content dropped,
    # forgotten a day later like a sent one.
    failed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # Whose account it is about: deleting the account drops the message unsent (PRIV-3).
    user_id: uuid.UUID | None = Field(default=None, sa_column=_fk("user_account.id", nullable=True))


class UsedFormToken(SQLModel, table=True):
    """A form token already posted to a public form: each works once (core/form_tokens.py)."""

    __tablename__ = "used_form_token"  # type: ignore[assignment]

    nonce_hash: str = Field(max_length=64, primary_key=True)
    used_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))


class LoginFailure(SQLModel, table=True):
    """One throttled attempt: a failed sign-in ("account:<hash>", "address:<ip>") or any
    registration ("register:<ip>")."""

    __tablename__ = "login_failure"  # type: ignore[assignment]
    __table_args__ = (Index("ix_login_failure_scope_at", "scope", "failed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=120)
    failed_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


# --- clinician-client links ---------------------------------------------------------


class Invitation(SQLModel, table=True):
    __tablename__ = "invitation"  # type: ignore[assignment]

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True, index=True)
    # The code's last group, so the clinician can tell their open codes apart ("ending in
    # 7KQ2"), sealed under the clinician's data key: a reader of the database learns nothing
    # of the code (an attack review: in clear, 24 unknown symbols are about 118 bits).
    code_end_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))  # None: made before
    clinician_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    used_by_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("user_account.id", ondelete="SET NULL"))
    )
    # A code serves one registration, whatever its outcome (see accounts.register_client).
    registered_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # The client who registered with this code: offered to them when they sign in.
    offered_to_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    )

    __encrypted__ = ("code_end_ct",)


class CareLink(SQLModel, table=True):
    __tablename__ = "care_link"  # type: ignore[assignment]
    __table_args__ = (
        Index(
            "uq_care_link_active",
            "clinician_id",
            "client_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    clinician_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    client_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    ended_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # Who ended it, said to both afterwards (None: ended before this was kept).
    ended_by_clinician: bool | None = Field(default=None, sa_column=Column(Boolean, nullable=True))


# --- client items and sharing --------------------------------------------------------


class ClientItem(SQLModel, table=True):
    """Anything a client makes that they may choose to share."""

    __tablename__ = "client_item"  # type: ignore[assignment]
    __table_args__ = (Index("ix_client_item_owner_kind_created", "owner_id", "kind", "created_at"),)

    id: uuid.UUID = Field(primary_key=True)
    owner_id: uuid.UUID = Field(sa_column=_fk("user_account.id", index=False))
    # The registered kind's name (core/items.py): which table holds the item's fields.
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # When what a clinician can see of it last changed: made, or saved with a shared field
    # changed (not a private one, nor a save that changed nothing). "Seen" and "edited" on
    # either side are said against it, never against updated_at (the owner's own "edited").
    shared_changed_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # A deleted item keeps this tombstone (no content) so its id can't be reused.
    deleted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class ItemShare(SQLModel, table=True):
    """One share of one item with one clinician. Revoking ends it; re-sharing adds a row.

    A share belongs to the link it was made under: it is visible only while that very
    link is active, so a share that raced the end of a link, or an old one, never comes
    back when the client links to the clinician again.
    """

    __tablename__ = "item_share"  # type: ignore[assignment]
    __table_args__ = (
        Index(
            "uq_item_share_active",
            "item_id",
            "clinician_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        # A clinician's shares, live or ended, opened or not.
        Index("ix_item_share_clinician", "clinician_id", "revoked_at", "first_seen_at"),
        # Shares seen, then made private: when each clinician last saw an item the owner has
        # made private since (sharing.shares_of), read from this index alone.
        Index(
            "ix_item_share_seen_ended",
            "item_id",
            "clinician_id",
            "link_id",
            "first_seen_at",
            "revoked_at",
            sqlite_where=text("revoked_at IS NOT NULL AND first_seen_at IS NOT NULL"),
            postgresql_where=text("revoked_at IS NOT NULL AND first_seen_at IS NOT NULL"),
        ),
        # A clinician's live shares not opened yet, per link and kind: the caseload counts
        # them from this index alone (no item or link read per share). It repeats the columns
        # of its own condition: SQLite reads a partial index alone only when it holds every
        # column the query names (tests/unit/test_preparation_core.py, the plan test).
        Index(
            "ix_item_share_unseen",
            "clinician_id",
            "link_id",
            "kind",
            "revoked_at",
            "first_seen_at",
            sqlite_where=text("revoked_at IS NULL AND first_seen_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL AND first_seen_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    item_id: uuid.UUID = Field(sa_column=_fk("client_item.id"))
    clinician_id: uuid.UUID = Field(sa_column=_fk("user_account.id", index=False))
    link_id: uuid.UUID | None = Field(default=None, sa_column=_fk("care_link.id", nullable=True))
    # The shared item's kind, copied when the share is made (an item's kind never changes).
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    shared_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # When the clinician first saw the item as it is: moved on when they see it again after
    # its owner changed it (sharing._reveal). None: never seen under this share.
    first_seen_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class JournalEntry(SQLModel, table=True):
    __tablename__ = "journal_entry"  # type: ignore[assignment]
    __encrypted__ = ("title_ct", "body_ct")

    item_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("client_item.id", ondelete="CASCADE"), primary_key=True)
    )
    title_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    body_ct: bytes = Field(sa_column=_ciphertext())


class CheckIn(SQLModel, table=True):
    """A mood check-in: when it was felt, ratings 0–10 (mood required), sleep, a note.

    Every field is PHI, sealed like an entry's (the moment too: when someone checks in says
    something about them). Stored as the kind's cleaned text (core/checkins.py).
    """

    __tablename__ = "check_in"  # type: ignore[assignment]
    __encrypted__ = (
        "felt_at_ct",
        "mood_ct",
        "anxiety_ct",
        "energy_ct",
        "sleep_hours_ct",
        "sleep_quality_ct",
        "note_ct",
        "tags_ct",
        "scales_ct",
        "own_scales_ct",
    )

    item_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("client_item.id", ondelete="CASCADE"), primary_key=True)
    )
    felt_at_ct: bytes = Field(sa_column=_ciphertext())
    mood_ct: bytes = Field(sa_column=_ciphertext())
    anxiety_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    energy_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    sleep_hours_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    sleep_quality_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    note_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    # JSON: the client's tag ids; ratings of scales a clinician suggested; of their own scales.
    tags_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    scales_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    own_scales_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))


class CheckInTag(SQLModel, table=True):
    """One of a client's own tags for check-ins ("work", "family"). A removed tag keeps its
    row (no name) so the check-ins that carry it simply stop showing it."""

    __tablename__ = "check_in_tag"  # type: ignore[assignment]
    __encrypted__ = ("name_ct",)

    id: uuid.UUID = Field(primary_key=True)
    owner_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    name_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    removed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class CheckInScale(SQLModel, table=True):
    """An extra 0–10 scale in one client's check-ins: suggested by a linked clinician (its
    ratings are shared with a check-in), or the client's own and private (never shown to a
    clinician, shared or not). Its name is sealed under the client's key, whoever wrote it."""

    __tablename__ = "check_in_scale"  # type: ignore[assignment]
    __encrypted__ = ("name_ct",)

    id: uuid.UUID = Field(primary_key=True)
    client_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    added_by: uuid.UUID = Field(sa_column=_fk("user_account.id", index=False))
    private: bool
    name_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    removed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class HomeworkResponse(SQLModel, table=True):
    """A client's answers to a worksheet (core/homework.py): the worksheet as it was given,
    the answers, and "couldn't do it" with its reasons. Returning it is sharing it."""

    __tablename__ = "homework_response"  # type: ignore[assignment]
    __encrypted__ = ("worksheet_ct", "answers_ct", "not_done_ct")

    item_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("client_item.id", ondelete="CASCADE"), primary_key=True)
    )
    worksheet_ct: bytes = Field(sa_column=_ciphertext())
    answers_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    not_done_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))


class WorksheetTemplate(SQLModel, table=True):
    """A worksheet a clinician built and keeps in their own library; their words, sealed
    under their own key (it is about no client)."""

    __tablename__ = "worksheet_template"  # type: ignore[assignment]
    __encrypted__ = ("definition_ct",)

    id: uuid.UUID = Field(primary_key=True)
    owner_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    definition_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    removed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


OPEN_NEVER_RETURNED = "withdrawn_at IS NULL AND reviewed_at IS NULL AND first_returned_at IS NULL"
OPEN_RETURNED_ONCE = "withdrawn_at IS NULL AND reviewed_at IS NULL AND first_returned_at IS NOT NULL"
ASSIGNMENT_STATE = ("withdrawn_at", "reviewed_at", "first_returned_at")  # the columns of those two


class Assignment(SQLModel, table=True):
    """Homework a clinician gave a linked client. What the clinician wrote (the worksheet,
    instructions, a note, a comment) is about the client and sealed under the client's key.

    `response_id` is the client's answer (a homework response, or a journal entry for a
    prompt) once they start it: the clinician sees it only while it is shared with them
    (returned), like any item, never that it was started.
    """

    __tablename__ = "assignment"  # type: ignore[assignment]
    __encrypted__ = ("worksheet_ct", "instructions_ct", "note_ct", "comment_ct")
    __table_args__ = (
        Index("ix_assignment_client_due", "client_id", "withdrawn_at", "due_on"),
        Index("ix_assignment_client_response", "client_id", "response_id"),
        # A clinician's open assignments (live, not reviewed), per client: the brief's homework
        # that needs attention (it reads each row found, for its sealed worksheet).
        Index(
            "ix_assignment_open",
            "clinician_id",
            "client_id",
            "due_on",
            "response_id",
            sqlite_where=text("withdrawn_at IS NULL AND reviewed_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL AND reviewed_at IS NULL"),
        ),
        # The same, apart by whether the response was ever returned: the caseload counts the
        # never-returned from the first alone, and looks for a live return share only for
        # the few in the second (a returned assignment leaves both once reviewed). Each
        # repeats the columns of its own condition, to be read alone (as ix_item_share_unseen).
        Index(
            "ix_assignment_open_never_returned",
            "clinician_id",
            "client_id",
            "due_on",
            *ASSIGNMENT_STATE,
            sqlite_where=text(OPEN_NEVER_RETURNED),
            postgresql_where=text(OPEN_NEVER_RETURNED),
        ),
        Index(
            "ix_assignment_open_returned_once",
            "clinician_id",
            "client_id",
            "due_on",
            "response_id",
            *ASSIGNMENT_STATE,
            sqlite_where=text(OPEN_RETURNED_ONCE),
            postgresql_where=text(OPEN_RETURNED_ONCE),
        ),
    )

    id: uuid.UUID = Field(primary_key=True)
    clinician_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    client_id: uuid.UUID = Field(sa_column=_fk("user_account.id", index=False))
    worksheet_ct: bytes = Field(sa_column=_ciphertext())
    instructions_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    note_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    due_on: date | None = None
    series_id: uuid.UUID | None = None  # the assignments made by one repeat
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    withdrawn_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # Not a foreign key: it is set at the first autosave, before the item itself is saved.
    response_id: uuid.UUID | None = None
    comment_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    commented_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # When the client last opened the comment: one written or changed after it is new to them.
    comment_read_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    reviewed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # When the response was first shared with the clinician (core/sharing.py), or tied to
    # the assignment already saved, when it may have been (core/homework.py). Never cleared:
    # without it the assignment was never returned, whatever its shares say.
    first_returned_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Appointment(SQLModel, table=True):
    """A session between a clinician and a linked client (core/appointments.py): planned
    (`starts_at`), then held (`held_at`). Held sessions divide time into "since last
    session" windows. At most one planned, not held, per clinician and client."""

    __tablename__ = "appointment"  # type: ignore[assignment]
    __table_args__ = (
        # A pair's sessions, latest held last; with the id and time, the caseload's seeks for
        # each client's last held and next planned session read the index alone.
        Index("ix_appointment_pair", "clinician_id", "client_id", "held_at", "id", "starts_at"),
        Index(
            "uq_appointment_planned",
            "clinician_id",
            "client_id",
            unique=True,
            sqlite_where=text("held_at IS NULL"),
            postgresql_where=text("held_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    clinician_id: uuid.UUID = Field(sa_column=_fk("user_account.id", index=False))
    client_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    starts_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))  # None: unplanned
    held_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class SessionAgenda(SQLModel, table=True):
    """A client's agenda for one session with one clinician (core/agenda.py), a kind on the
    item platform: the lines they want to bring (free text, or a pinned item or chart),
    and their own note after that session ("what I want to remember", never shared).

    `window` names the stretch of time it belongs to: the held appointment that opened it,
    or "first" before any session was held. One agenda per client, clinician and window.
    """

    __tablename__ = "session_agenda"  # type: ignore[assignment]
    __encrypted__ = ("lines_ct", "remember_ct")
    __table_args__ = (
        Index("uq_session_agenda_window", "client_id", "clinician_id", "window", unique=True),
        Index("ix_session_agenda_clinician", "clinician_id"),
    )

    item_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("client_item.id", ondelete="CASCADE"), primary_key=True)
    )
    client_id: uuid.UUID | None = Field(
        default=None, sa_column=_fk("user_account.id", nullable=True, index=False)
    )
    clinician_id: uuid.UUID | None = Field(
        default=None, sa_column=_fk("user_account.id", nullable=True, index=False)
    )
    window: str | None = Field(default=None, sa_column=Column(String(36), nullable=True))
    lines_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))
    remember_ct: bytes | None = Field(default=None, sa_column=_ciphertext(nullable=True))


class AgendaDiscussed(SQLModel, table=True):
    """A clinician's tick: this line of a shared agenda was discussed. No content: the
    line is named by its id inside the agenda's sealed lines."""

    __tablename__ = "agenda_discussed"  # type: ignore[assignment]

    agenda_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("client_item.id", ondelete="CASCADE"), primary_key=True)
    )
    line_id: str = Field(sa_column=Column(String(16), primary_key=True))
    clinician_id: uuid.UUID = Field(sa_column=_fk("user_account.id", index=False))
    discussed_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ItemDraft(SQLModel, table=True):
    """Unsaved words of any kind, autosaved while typing; keyed by the item they will become.

    `payload_ct` holds the kind's form fields as encrypted JSON.
    """

    __tablename__ = "item_draft"  # type: ignore[assignment]
    # A new item's id is free only if no one else's draft holds it (items._OTHERS_DRAFT).
    __table_args__ = (Index("ix_item_draft_item_id", "item_id"),)
    __encrypted__ = ("payload_ct",)

    owner_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    )
    item_id: uuid.UUID = Field(primary_key=True)
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    payload_ct: bytes = Field(sa_column=_ciphertext())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # Words written for this item in another tab or on another device, kept apart from the
    # words saved there (drafts.save): the item they were written for.
    copy_of: uuid.UUID | None = Field(default=None)


# --- reminders -------------------------------------------------------------------------


class ReminderKind(enum.StrEnum):
    CHECK_IN = "check_in"
    JOURNAL = "journal"
    HOMEWORK = "homework"  # on the day homework is due


class ReminderPreference(SQLModel, table=True):
    """A client's reminders (core/reminders.py): off until they turn them on. Days are a
    bitmask (Monday = 1, Sunday = 64); times are minutes after midnight in the person's
    own time zone. Quiet hours (start to end, possibly across midnight) send nothing."""

    __tablename__ = "reminder_preference"  # type: ignore[assignment]

    user_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    )
    check_in_on: bool = False
    check_in_days: int = 0
    check_in_at: int = 20 * 60
    journal_on: bool = False
    journal_days: int = 0
    journal_at: int = 20 * 60
    homework_on: bool = False
    homework_at: int = 9 * 60
    quiet_on: bool = False
    quiet_start: int = 22 * 60  # kept while quiet hours are off, for turning them on again
    quiet_end: int = 7 * 60
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ReminderSent(SQLModel, table=True):
    """One reminder given: at most one per person, kind and local day (`slot`), so two
    schedulers, or one restarted, never send it twice. It is also the in-app banner,
    until dismissed."""

    __tablename__ = "reminder_sent"  # type: ignore[assignment]
    __table_args__ = (Index("uq_reminder_sent_slot", "user_id", "kind", "slot", unique=True),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(sa_column=_fk("user_account.id", index=False))
    kind: ReminderKind
    slot: date
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    dismissed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


# --- audit ---------------------------------------------------------------------------


class AuditEvent(SQLModel, table=True):
    """Who did what to whose item, and whether it was allowed. Never any content."""

    __tablename__ = "audit_event"  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    actor_id: uuid.UUID | None = Field(default=None, index=True)
    subject_id: uuid.UUID | None = Field(default=None, index=True)
    item_id: uuid.UUID | None = None
    action: AuditAction
    outcome: AuditOutcome
    # AUD-4: SHA-256 (hex) of the previous row's chain and this row, set once by the sealer
    # (core/audit.py `seal`) shortly after the row is written; triggers refuse any other
    # change, and any delete (migration 0014).
    chain: str | None = Field(default=None, max_length=64)


# Tables holding personal health information, checked by tests/unit/test_inventory.py.
PHI_TABLES = (
    "client_item",
    "item_share",
    "journal_entry",
    "check_in",
    "check_in_tag",
    "check_in_scale",
    "homework_response",
    "worksheet_template",
    "assignment",
    "item_draft",
    "appointment",
    "session_agenda",
    "agenda_discussed",
    "audit_event",
    "care_link",
)


# --- views: what leaves the core -------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """The signed-in person behind one event, resolved from the session cookie."""

    user_id: uuid.UUID
    role: Role
    display_name: str
    session_id: uuid.UUID
    language: str | None = None  # None: not chosen yet (the tab's language stands)
    time_zone: str | None = None  # None: the deployment's


Cursor = tuple[datetime, uuid.UUID]  # (created_at, id) of the last item of a page


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a newest-first list, and where the next older page starts (if any)."""

    items: list[T]
    older: Cursor | None


@dataclass(frozen=True)
class Share:
    """For the owner: one linked clinician, and whether and when they got and saw the item."""

    clinician_id: uuid.UUID
    clinician_name: str
    shared_at: datetime | None  # None: not shared with this clinician
    seen_at: datetime | None
    # Not seen under the share of now (or not shared now): when they last saw it under an
    # earlier share, made private since (under the link active now).
    seen_before: datetime | None = None
    # Seen, then changed by its owner: when (what they saw was the item before that).
    changed_after_seen: datetime | None = None


@dataclass(frozen=True)
class OwnItem:
    """An item as its owner reads it: every field of the kind."""

    id: uuid.UUID
    kind: str
    fields: dict[str, str]
    created_at: datetime
    updated_at: datetime
    shared_with: tuple[str, ...] = ()  # names of the clinicians it is shared with now
    seen_by: tuple[str, ...] = ()  # those of them who have seen it


@dataclass(frozen=True)
class SharedItem:
    """An item as a clinician may see it: only the fields the kind shows when shared."""

    id: uuid.UUID
    kind: str
    owner_id: uuid.UUID
    fields: dict[str, str]
    created_at: datetime
    shared_at: datetime
    new: bool = False  # not seen by this clinician before this read (marked seen by it)
    # Its owner's last change to what the clinician sees (after shared_at: edited since).
    shared_changed_at: datetime | None = None


@dataclass(frozen=True)
class DraftItem:
    """Unsaved words of one item (new, or an edit of a saved one)."""

    item_id: uuid.UUID
    kind: str
    fields: dict[str, str]
    updated_at: datetime
    of_saved: bool = False  # changes to a saved item, not a new one
    saved_created_at: datetime | None = None  # that saved item's creation (names an untitled one)
    # Words written for this item in another tab or on another device, kept apart from its own.
    copy_of: uuid.UUID | None = None

    @property
    def kept_apart(self) -> bool:
        return self.copy_of is not None


@dataclass(frozen=True)
class Version:
    """The saved item an editor opened on: its `updated_at`, or None if it wasn't saved yet.
    A save made on it replaces the item only if nobody saved the item since."""

    updated_at: datetime | None


@dataclass(frozen=True)
class Editing:
    """What an editor opens with: the unsaved draft if any, else the saved item."""

    fields: dict[str, str]
    is_new: bool
    from_draft: bool
    version: Version = Version(None)
    draft_at: datetime | None = None  # when the draft it opened was written (None: none)


@dataclass(frozen=True)
class Person:
    """Someone at the other end of a care link, and since when they are linked."""

    id: str
    name: str
    linked_at: datetime


@dataclass(frozen=True)
class EndedLink:
    """A care link that ended lately: with whom, when, and whether the other person ended
    it (None: not known)."""

    name: str
    ended_at: datetime
    by_them: bool | None


@dataclass(frozen=True)
class InvitationPreview:
    clinician_name: str
    expires_at: datetime
