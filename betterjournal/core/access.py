"""Requests for early access, and an admin's decision on each.

Anyone may ask (name, email, client or clinician; a clinician also their profession,
province, regulatory college and registration number). The answer is the same whatever
the address (no account oracle), throttled per address and per email, and a bot that
fills the hidden field is answered alike and kept nowhere. An admin records that they
checked a clinician's registration number in the college's public register (who, when;
the app calls no outside service), then approves (an account and a single-use link to
choose a password, by email) or declines (nothing is sent).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exc
from sqlmodel import Session, col, select, update

from betterjournal import emails, keystore, routes
from betterjournal.core import audit, credentials, mail, passwords, tokens
from betterjournal.core.errors import InvalidInput, NotFound
from betterjournal.core.validation import NAME_MAX, clean_email, clean_line, clean_name, parse_id
from betterjournal.crypto import sha256_hex
from betterjournal.i18n import LANGUAGES, N_, Message, language_or_default
from betterjournal.models import (
    AccessRequest,
    AccessStatus,
    AuditAction,
    AuditOutcome,
    Role,
    TokenPurpose,
    User,
    utcnow,
)

REQUESTS_PER_ADDRESS = 10  # per client address and hour
REQUESTS_PER_EMAIL = 3  # per email address and day
PROFESSION_MAX, COLLEGE_MAX, REGISTRATION_MAX = 100, 200, 40
LIST_LIMIT = 200

# Canada's provinces and territories, by postal abbreviation.
PROVINCES: dict[str, Message] = {
    "AB": N_("Alberta"),
    "BC": N_("British Columbia"),
    "MB": N_("Manitoba"),
    "NB": N_("New Brunswick"),
    "NL": N_("Newfoundland and Labrador"),
    "NS": N_("Nova Scotia"),
    "NT": N_("Northwest Territories"),
    "NU": N_("Nunavut"),
    "ON": N_("Ontario"),
    "PE": N_("Prince Edward Island"),
    "QC": N_("Quebec"),
    "SK": N_("Saskatchewan"),
    "YT": N_("Yukon"),
}
REQUESTABLE_ROLES = (Role.CLIENT, Role.CLINICIAN)
FIELDS = {"name", "email", "role", "profession", "province", "college", "registration_number", "website"}
HONEYPOT = "website"  # hidden from people; a bot fills it


@dataclass(frozen=True)
class RequestView:
    id: str
    created_at: datetime
    name: str
    email: str
    role: Role
    profession: str
    province: str
    college: str
    registration_number: str
    status: AccessStatus
    register_checked_by: str  # the admin's name, '' if not checked
    register_checked_at: datetime | None
    decided_at: datetime | None


def request_access(session: Session, *, fields: dict, address: str, language: object) -> None:
    """Keep a request for an admin. Raises InvalidInput (with `code` naming the field) or
    TooManyAttempts; otherwise answers nothing, whatever the address."""
    credentials.counted(session, f"access:{address}", REQUESTS_PER_ADDRESS, timedelta(hours=1))
    if set(fields) - FIELDS:
        raise InvalidInput(
            N_("Something in the form couldn't be used. Please check it and try again."), code="fields"
        )
    request = _checked_request(fields, language)
    if fields.get(HONEYPOT):
        return  # a bot: the same answer, nothing kept
    credentials.counted(session, f"access:{sha256_hex(request.email)}", REQUESTS_PER_EMAIL, timedelta(days=1))
    waiting = session.exec(
        select(AccessRequest.id).where(
            col(AccessRequest.email) == request.email, col(AccessRequest.status) == AccessStatus.PENDING
        )
    ).first()
    if waiting is None:
        session.add(request)


def _field(fields: dict, name: str, label: Message, max_length: int, message: Message) -> str:
    clean = clean_name if name == "name" else clean_line  # a person's name: nothing unseen in it
    try:
        return clean(fields.get(name), label=label, max_length=max_length)
    except InvalidInput as error:
        raise InvalidInput(message, code=name, **error.values) from None


def _checked_request(fields: dict, language: object) -> AccessRequest:
    name = _field(
        fields, "name", N_("Name"), NAME_MAX, N_("Enter your name, on one line, up to 100 characters.")
    )
    try:
        email = clean_email(fields.get("email"))
    except InvalidInput:
        raise InvalidInput(N_("Enter an email address like name@example.com."), code="email") from None
    role = fields.get("role")
    if not isinstance(role, str) or role not in REQUESTABLE_ROLES:
        raise InvalidInput(N_("Choose whether you are a client or a clinician."), code="role")
    request = AccessRequest(name=name, email=email, role=Role(role), language=language_or_default(language))
    if request.role == Role.CLINICIAN:
        request.profession = _field(
            fields,
            "profession",
            N_("Profession"),
            PROFESSION_MAX,
            N_("Enter your profession, on one line, up to 100 characters."),
        )
        province = fields.get("province")
        if not isinstance(province, str) or province not in PROVINCES:  # a list isn't hashable
            raise InvalidInput(N_("Choose the province or territory where you practise."), code="province")
        request.province = province
        request.college = _field(
            fields,
            "college",
            N_("Regulatory college"),
            COLLEGE_MAX,
            N_("Enter your regulatory college, on one line, up to 200 characters."),
        )
        request.registration_number = _field(
            fields,
            "registration_number",
            N_("Registration number"),
            REGISTRATION_MAX,
            N_("Enter your registration number as the college shows it, up to 40 characters."),
        )
    return request


# --- the admin's side -------------------------------------------------------------------


def list_requests(
    session: Session, *, status: AccessStatus | None = AccessStatus.PENDING, role: Role | None = None
) -> list[RequestView]:
    query = select(AccessRequest)
    if status is not None:
        query = query.where(col(AccessRequest.status) == status)
    if role is not None:
        query = query.where(col(AccessRequest.role) == role)
    rows = list(session.exec(query.order_by(col(AccessRequest.created_at)).limit(LIST_LIMIT)))
    checkers = {r.register_checked_by for r in rows if r.register_checked_by}
    names = (
        {
            row[0]: row[1]
            for row in session.exec(select(User.id, User.display_name).where(col(User.id).in_(checkers)))
        }
        if checkers
        else {}
    )
    return [
        RequestView(
            id=str(r.id),
            created_at=r.created_at,
            name=r.name,
            email=r.email,
            role=r.role,
            profession=r.profession or "",
            province=r.province or "",
            college=r.college or "",
            registration_number=r.registration_number or "",
            status=r.status,
            register_checked_by=names.get(r.register_checked_by, "") if r.register_checked_by else "",
            register_checked_at=r.register_checked_at,
            decided_at=r.decided_at,
        )
        for r in rows
    ]


def admin_ids(session: Session) -> list[uuid.UUID]:
    """Every active admin: whose open waiting list a new request or a decision changes."""
    return list(session.exec(select(User.id).where(col(User.role) == Role.ADMIN, col(User.is_active))).all())


def _pending(session: Session, request_id: object) -> AccessRequest:
    request = session.get(AccessRequest, parse_id(request_id))
    if request is None:
        raise NotFound()
    if request.status != AccessStatus.PENDING:
        raise InvalidInput(N_("This request was decided already."))
    return request


def record_register_check(session: Session, *, admin_id: uuid.UUID, request_id: object) -> None:
    """The admin looked the registration number up in the college's public register."""
    request = _pending(session, request_id)
    if request.role != Role.CLINICIAN:
        raise InvalidInput(N_("Only a clinician's request has a registration number to check."))
    request.register_checked_by, request.register_checked_at = admin_id, utcnow()
    session.add(request)
    audit.record(
        session, actor_id=admin_id, action=AuditAction.ADMIT, outcome=AuditOutcome.ALLOWED, item_id=request.id
    )


def _decide(session: Session, request: AccessRequest, admin_id: uuid.UUID, status: AccessStatus) -> None:
    """Pending → decided, by one conditional write: two admins deciding at once, one wins."""
    decided = session.connection().execute(
        update(AccessRequest)
        .where(col(AccessRequest.id) == request.id, col(AccessRequest.status) == AccessStatus.PENDING)
        .values(status=status, decided_by=admin_id, decided_at=utcnow())
    )
    if decided.rowcount != 1:
        raise InvalidInput(N_("This request was decided already."))
    session.expire(request)
    audit.record(
        session, actor_id=admin_id, action=AuditAction.ADMIT, outcome=AuditOutcome.ALLOWED, item_id=request.id
    )


def approve(session: Session, *, admin_id: uuid.UUID, request_id: object) -> None:
    """An account for the request, and an email with a link to choose a password (72 h)."""
    request = _pending(session, request_id)
    if request.role == Role.CLINICIAN and request.register_checked_at is None:
        raise InvalidInput(N_("Check the registration number in the college's public register first."))
    if session.exec(select(User.id).where(col(User.email) == request.email)).first() is not None:
        raise InvalidInput(N_("An account with this email exists already. Decline this request."))
    email, role, name, language = request.email, request.role, request.name, request.language
    _decide(session, request, admin_id, AccessStatus.APPROVED)
    user_id = uuid.uuid4()
    user = User(
        id=user_id,
        email=email,
        display_name=name,
        role=role,
        # Nobody knows this password: the person chooses theirs from the emailed link.
        password_hash=passwords.hash_password(secrets.token_urlsafe(32)),
        language=language if language in LANGUAGES else None,
    )
    try:
        with session.begin_nested():  # another request for the email, approved at this moment
            session.add(user)
    except exc.IntegrityError:
        raise InvalidInput(N_("An account with this email exists already. Decline this request.")) from None
    keystore.new_data_key(user_id)
    token = tokens.issue(session, user_id=user_id, purpose=TokenPurpose.SET_PASSWORD)
    link = credentials.link(routes.CHOOSE_PASSWORD, token, first="1")
    mail.send(
        session, to=email, email=emails.set_password(credentials.reader_for(user), link), for_user=user.id
    )


def decline(session: Session, *, admin_id: uuid.UUID, request_id: object) -> None:
    """Declined; no email is sent."""
    _decide(session, _pending(session, request_id), admin_id, AccessStatus.DECLINED)
