"""Clinician-client links by invitation (AUTHN-8). Linking shares nothing."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select, update

from betterjournal.core import accounts, audit, sharing
from betterjournal.core.errors import Denied, InvalidInput, NotFound
from betterjournal.core.validation import parse_id
from betterjournal.crypto import sha256_hex
from betterjournal.db import run_prebuilt, take_turns
from betterjournal.i18n import N_
from betterjournal.models import (
    AuditAction,
    AuditOutcome,
    CareLink,
    CheckInScale,
    EndedLink,
    Invitation,
    InvitationPreview,
    Person,
    Role,
    User,
    utcnow,
)

INVITATION_LIFETIME = timedelta(days=7)
ENDED_SHOWN_FOR = timedelta(days=30)  # an ended link is said on both sides for this long
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U
_CODE_LENGTH = 28  # 28 symbols of 30 ≈ 137 bits
_CODE_GROUP = 4  # shown in groups of four: ABCD-EFGH-…
_INVALID_CODE = N_("That invitation code isn't valid. Check it with your clinician, or ask for a new one.")
_NO_CODE = N_("Enter the invitation code your clinician gave you.")
# Wrong codes a signed-in client may try in accounts.THROTTLE_WINDOW (AUTHN-3): per client,
# and per client address.
MAX_CODE_FAILURES_PER_CLIENT = 10
MAX_CODE_FAILURES_PER_ADDRESS = 30


class CodeRefused(Denied):
    """A signed-in client's wrong code: shown as the invalid-code message, and audited as
    a denied CHECK_CODE by the unit of work that catches it (db.session_scope), after it
    rolled back its own work."""

    def __init__(self, client_id: uuid.UUID) -> None:
        super().__init__(actor_id=client_id, action=AuditAction.CHECK_CODE)
        self.message = _INVALID_CODE


def _normalise_code(code: object) -> str:
    if not isinstance(code, str) or len(code) > 100:
        raise InvalidInput(_INVALID_CODE, code="details")
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    if not normalised:  # nothing typed: a reminder, not a wrong code
        raise InvalidInput(_NO_CODE, code="code_missing")
    return normalised


def _require_role(session: Session, user_id: uuid.UUID, role: Role) -> None:
    """Links only ever join a clinician to a client, whatever the caller checked."""
    if session.exec(select(User.role).where(col(User.id) == user_id)).first() != role:
        raise InvalidInput(N_("Only a clinician can invite, and only a client can accept."))


def create_invitation(session: Session, *, clinician_id: uuid.UUID) -> str:
    """A new single-use code, returned once; only its hash is kept."""
    _require_role(session, clinician_id, Role.CLINICIAN)
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    now = utcnow()
    invitation = Invitation(
        code_hash=sha256_hex(raw),
        clinician_id=clinician_id,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    invitation.code_end_ct = accounts.data_key(session, clinician_id).seal_field(
        Invitation.code_end_ct, invitation.id, raw[-_CODE_GROUP:]
    )
    session.add(invitation)
    return "-".join(raw[i : i + _CODE_GROUP] for i in range(0, _CODE_LENGTH, _CODE_GROUP))


@dataclass(frozen=True)
class PendingInvitation:
    """A code the clinician made that no client has used yet (the code itself isn't kept)."""

    id: uuid.UUID
    created_at: datetime
    expires_at: datetime
    registered: bool  # a new client registered with it, and has yet to accept
    code_end: str | None  # the code's last group (None for a code made before it was kept)


_NOT_CANCELLED = N_("That code can't be cancelled: it was used, cancelled or has expired.")


# sqlalchemy's select: sqlmodel's takes at most four columns.
_PENDING = (
    sa_select(
        col(Invitation.id),
        col(Invitation.created_at),
        col(Invitation.expires_at),
        col(Invitation.registered_at),
        col(Invitation.code_end_ct),
    )
    .where(
        col(Invitation.clinician_id) == bindparam("clinician"),
        col(Invitation.used_at).is_(None),
        col(Invitation.expires_at) > bindparam("now"),
    )
    .order_by(col(Invitation.created_at).desc())
)


def pending_invitations(session: Session, *, clinician_id: uuid.UUID) -> list[PendingInvitation]:
    """The clinician's codes still open (unused, unexpired, not cancelled), newest first."""
    rows = run_prebuilt(session, _PENDING, clinician=clinician_id, now=utcnow())
    key = accounts.data_key(session, clinician_id) if rows else None

    def code_end(invitation_id: uuid.UUID, sealed: bytes | None) -> str | None:
        return (
            None
            if key is None or sealed is None
            else key.open_field(Invitation.code_end_ct, invitation_id, sealed)
        )

    return [
        PendingInvitation(i, created, expires, registered is not None, code_end(i, sealed))
        for i, created, expires, registered, sealed in rows
    ]


def cancel_invitation(session: Session, *, clinician_id: uuid.UUID, invitation_id: object) -> None:
    """Cancel one of the clinician's open codes: it can't be used from now on, as if expired.

    One conditional write, like the one that uses a code (`accept_invitation`), on the same
    conditions: of a cancel and a use (or two cancels) at the same moment, exactly one
    changes the row, and the other is refused. Someone else's code, or an unknown id, is
    refused the same way.
    """
    try:
        parsed = parse_id(invitation_id)
    except NotFound:
        raise InvalidInput(_NOT_CANCELLED) from None
    now = utcnow()
    session.flush()
    cancelled = session.connection().execute(
        update(Invitation)
        .where(
            col(Invitation.id) == parsed,
            col(Invitation.clinician_id) == clinician_id,
            col(Invitation.used_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        # Its lifetime ends where it began: earlier than any moment a use could check it
        # against, however its clock and ours interleave.
        .values(expires_at=col(Invitation.created_at))
    )
    if cancelled.rowcount != 1:
        raise InvalidInput(_NOT_CANCELLED)


def find_invitation(session: Session, code: object, *, to_register: bool = False) -> Invitation:
    """The open invitation for a code, or InvalidInput (unknown, used and expired alike).

    `to_register`: also refused once a registration has used the code.

    A look-up only: the code can be used by someone else right after it. What uses a code
    (`accept_invitation`, `accounts.register_client`) does so with one conditional write
    that re-checks these same conditions, and refuses with this same error when it loses.
    """
    invitation = session.exec(
        select(Invitation).where(Invitation.code_hash == sha256_hex(_normalise_code(code)))
    ).first()
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.expires_at <= utcnow()
        or (to_register and invitation.registered_at is not None)
    ):
        raise InvalidInput(_INVALID_CODE, code="details")
    return invitation


def check_code(session: Session, *, client_id: uuid.UUID, code: object, address: str) -> uuid.UUID:
    """The open invitation a signed-in client's code names (its id), for them to see who it
    is from before accepting. A wrong code raises CodeRefused (audited, DENIED).

    Throttled per client and per client address, as sign-in is (AUTHN-3): a well-formed code
    counts before its look-up (`accounts.begin_attempt`, which commits), and a right one
    takes its count back. A code that can't be one (not 28 letters and digits of the
    codes' alphabet once spaces and dashes are dropped) is refused without a look-up and
    without counting: it can't guess anything.
    """
    limits = {
        f"code:{client_id.hex}": MAX_CODE_FAILURES_PER_CLIENT,
        f"code-address:{address}": MAX_CODE_FAILURES_PER_ADDRESS,
    }
    normalised = _normalise_code(code) if isinstance(code, str) and len(code) <= 100 else ""
    if len(normalised) != _CODE_LENGTH or set(normalised) - set(_CODE_ALPHABET):
        accounts.refuse_when_throttled(session, limits)
        raise CodeRefused(client_id)
    attempt = accounts.begin_attempt(session, limits)
    try:
        invitation = find_invitation(session, normalised)
    except InvalidInput:
        raise CodeRefused(client_id) from None
    accounts.forgive_attempt(session, attempt)
    return invitation.id


def preview_invitation(session: Session, invitation_id: uuid.UUID) -> InvitationPreview:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        raise InvalidInput(_INVALID_CODE, code="details")
    clinician = session.get(User, invitation.clinician_id)
    assert clinician is not None
    return InvitationPreview(clinician_name=clinician.display_name, expires_at=invitation.expires_at)


def offered_invitation(session: Session, *, client_id: uuid.UUID) -> uuid.UUID | None:
    """The open invitation this client registered with, to offer once they are signed in."""
    return session.exec(
        select(Invitation.id)
        .where(
            col(Invitation.offered_to_id) == client_id,
            col(Invitation.used_at).is_(None),
            col(Invitation.expires_at) > utcnow(),
        )
        .order_by(col(Invitation.created_at).desc())
    ).first()


def decline_offer(session: Session, *, client_id: uuid.UUID) -> None:
    """Stop offering the client the invitation they registered with (the code stays open)."""
    session.exec(
        update(Invitation).where(col(Invitation.offered_to_id) == client_id).values(offered_to_id=None)
    )


def accept_invitation(session: Session, *, client_id: uuid.UUID, invitation_id: uuid.UUID) -> uuid.UUID:
    """Link the client to the inviting clinician and use up the code. Shares nothing.
    Returns the clinician's id.

    The code is used by one conditional write (still open, not expired), and only the
    caller whose write changed the row goes on to link: of any number of clients
    accepting the same code at once, exactly one is linked and every other gets the
    invalid-code refusal. Writers queue on SQLite's write lock, or on PostgreSQL's row
    lock, which re-checks the condition once the first writer commits.
    """
    _require_role(session, client_id, Role.CLIENT)
    now = utcnow()
    session.flush()  # the caller's pending changes first, on the same connection
    used = session.connection().execute(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation_id,
            col(Invitation.used_at).is_(None),
            col(Invitation.expires_at) > now,
        )
        .values(used_at=now, used_by_id=client_id)
    )
    if used.rowcount != 1:
        raise InvalidInput(_INVALID_CODE, code="details")
    # Refresh any copy the caller loaded (find_invitation): the write above bypassed it.
    invitation = session.get(Invitation, invitation_id, populate_existing=True)
    assert invitation is not None
    already = session.exec(
        select(CareLink.id).where(
            CareLink.clinician_id == invitation.clinician_id,
            CareLink.client_id == client_id,
            col(CareLink.ended_at).is_(None),
        )
    ).first()
    if already is None:
        session.add(CareLink(clinician_id=invitation.clinician_id, client_id=client_id))
        audit.record(
            session,
            actor_id=client_id,
            action=AuditAction.LINK,
            outcome=AuditOutcome.ALLOWED,
            subject_id=client_id,
        )
    return invitation.clinician_id


def end_link(
    session: Session, *, client_id: uuid.UUID, clinician_id: uuid.UUID, by_clinician: bool = False
) -> None:
    """End a link and revoke, in the same transaction, every share to that clinician (PRIV-2).
    Either of the two may end it: the client (the default) or, `by_clinician`, the
    clinician (the work together ended); the audit row names which. Two tabs ending it at
    once take turns: it ends once, audited once."""
    active = (
        col(CareLink.client_id) == client_id,
        col(CareLink.clinician_id) == clinician_id,
        col(CareLink.ended_at).is_(None),
    )
    take_turns(session, CareLink, *active)
    link = session.exec(select(CareLink).where(*active)).first()
    if link is None:
        if by_clinician:
            raise InvalidInput(N_("You aren't connected to that client."))
        raise InvalidInput(N_("You aren't connected to that clinician."))
    link.ended_at, link.ended_by_clinician = utcnow(), by_clinician
    session.add(link)
    actor = clinician_id if by_clinician else client_id
    sharing.revoke_all(session, owner_id=client_id, clinician_id=clinician_id, actor_id=actor)
    # The scales they suggested leave the client's check-ins (ratings given stay in them).
    session.exec(
        update(CheckInScale)
        .where(
            col(CheckInScale.client_id) == client_id,
            col(CheckInScale.added_by) == clinician_id,
            col(CheckInScale.private).is_(False),
            col(CheckInScale.removed_at).is_(None),
        )
        .values(removed_at=utcnow(), name_ct=None)
    )
    audit.record(
        session,
        actor_id=actor,
        action=AuditAction.UNLINK,
        outcome=AuditOutcome.ALLOWED,
        subject_id=client_id,
    )


def stop_sharing_everything(session: Session, *, client_id: uuid.UUID, clinician_id: uuid.UUID) -> None:
    """Revoke, at once, every share to one connected clinician, of every kind (PRIV-2: entries,
    check-ins, returned homework, agendas); the link stays. Each revoke is audited."""
    if not sharing.is_linked(session, client_id=client_id, clinician_id=clinician_id):
        raise InvalidInput(N_("You aren't connected to that clinician."))
    sharing.revoke_all(session, owner_id=client_id, clinician_id=clinician_id)


def linked_clinicians(session: Session, *, client_id: uuid.UUID) -> list[Person]:
    rows = session.exec(
        select(User, CareLink)
        .join(CareLink, col(CareLink.clinician_id) == User.id)
        .where(CareLink.client_id == client_id, col(CareLink.ended_at).is_(None))
        .order_by(col(CareLink.created_at))
    )
    return [Person(id=str(user.id), name=user.display_name, linked_at=link.created_at) for user, link in rows]


def ended_lately(session: Session, *, user_id: uuid.UUID, role: Role) -> list[EndedLink]:
    """The person's links that ended in the last `ENDED_SHOWN_FOR`, newest first, each with
    the other person's name: what a client's Care team and a clinician's Clients say once
    the moment's notice is gone. A pair connected again since is left out."""
    mine, theirs = (
        (CareLink.client_id, CareLink.clinician_id)
        if role == Role.CLIENT
        else (CareLink.clinician_id, CareLink.client_id)
    )
    rows = session.exec(
        select(User.id, User.display_name, CareLink.ended_at, CareLink.ended_by_clinician)
        .join(CareLink, col(theirs) == User.id)
        .where(col(mine) == user_id, col(CareLink.ended_at) >= utcnow() - ENDED_SHOWN_FOR)
        .order_by(col(CareLink.ended_at).desc())
    ).all()
    linked_again = set(
        session.exec(select(theirs).where(col(mine) == user_id, col(CareLink.ended_at).is_(None))).all()
    )
    found, said = [], set()
    for other_id, name, ended_at, by_clinician in rows:
        if ended_at is None or other_id in linked_again or other_id in said:
            continue
        said.add(other_id)
        by_them = None if by_clinician is None else by_clinician == (role == Role.CLIENT)
        found.append(EndedLink(name=name, ended_at=ended_at, by_them=by_them))
    return found


_LINKED_CLIENTS = (
    select(User.id, User.display_name, CareLink.created_at)
    .join(CareLink, col(CareLink.client_id) == User.id)
    .where(
        col(CareLink.clinician_id) == bindparam("clinician"),
        col(CareLink.ended_at).is_(None),
        col(User.role) == Role.CLIENT,
    )
)


_LINKED_CLIENTS_BY_NAME = _LINKED_CLIENTS.order_by(col(User.display_name))


def linked_clients(session: Session, *, clinician_id: uuid.UUID) -> list[Person]:
    rows = run_prebuilt(session, _LINKED_CLIENTS_BY_NAME, clinician=clinician_id)
    return [Person(id=str(user_id), name=name, linked_at=linked_at) for user_id, name, linked_at in rows]


_LINKED_CLIENT = _LINKED_CLIENTS.where(col(User.id) == bindparam("client"))


def linked_client_name(session: Session, *, clinician_id: uuid.UUID, client_id: uuid.UUID) -> str | None:
    """The client's name if they are linked to this clinician now; else None."""
    row = run_prebuilt(session, _LINKED_CLIENT, clinician=clinician_id, client=client_id).first()
    return row[1] if row else None
