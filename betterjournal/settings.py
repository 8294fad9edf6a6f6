"""Every knob of a deployment, read once from the environment (BJ_*).

The embedded defaults run a single machine locally: SQLite under ./data, a generated
key-encryption key file beside it, http://localhost:3000. With BJ_ENV=production the
settings refuse the defaults that are unsafe there (plain http, a key next to the data).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from betterjournal.i18n import is_time_zone

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """The environment describes a deployment we refuse to run."""


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default).strip()


def _minutes(name: str, default: int) -> timedelta:
    value = int(_env(name, str(default)))
    if value <= 0:
        raise SettingsError(f"{name} must be a positive number of minutes")
    return timedelta(minutes=value)


def _seconds(name: str, default: float) -> float:
    try:
        value = float(_env(name, str(default)))
    except ValueError:
        value = 0.0
    if not 1 <= value <= 3600:
        raise SettingsError(f"{name} must be a number of seconds from 1 to 3600")
    return value


# smtp:// (no TLS) is for a relay on the same machine, and for the test suite's server.
SMTP_SCHEMES = ("smtp+starttls", "smtps", "smtp")


@dataclass(frozen=True)
class Settings:
    env: str
    public_url: str
    port: int
    database_url: str
    keystore_url: str
    key_file: Path
    key_b64: str
    time_zone: str  # for people who haven't chosen theirs (nor signed in from a browser)
    client_idle: timedelta
    clinician_idle: timedelta
    session_lifetime: timedelta
    trust_proxy: bool
    data_dir: Path
    # Email (betterjournal/outbox.py): through the deployment's own relay when set
    # (smtp+starttls://user:pass@host:port); otherwise one .eml file per message in
    # data_dir/outbox.
    smtp_url: str = ""
    mail_from: str = "Betterjournal <no-reply@localhost>"
    # Clinic sign-in (OpenID Connect) when an issuer is set.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    # How often the reminders' scheduler looks for reminders due (seconds).
    reminder_round_seconds: float = 60.0
    # How often the open tabs of sessions that ran out (idle, lifetime) are told (seconds).
    session_round_seconds: float = 30.0
    # Modules registering extra item kinds, for tests only (e.g. the test suite's "note"
    # kind, so the socket attacks cover a second kind); refused in production.
    test_kinds: tuple[str, ...] = ()

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """Origins allowed for the websocket and state-changing POSTs."""
        origins = [self.origin]
        parts = urlsplit(self.public_url)
        # localhost and 127.0.0.1 are the same machine for a local run.
        if parts.hostname == "localhost":
            origins.append(self.origin.replace("localhost", "127.0.0.1"))
        return tuple(origins)

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def session_cookie_name(self) -> str:
        # The __Host- prefix needs Secure, so it is only used over https.
        return "__Host-bj_session" if self.secure_cookies else "bj_session"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    def idle_timeout(self, role: str) -> timedelta:
        return self.client_idle if role == "client" else self.clinician_idle


def same_database(first: str, second: str) -> bool:
    """Whether two database URLs name the same database, however they are spelled (driver,
    user, default port, a relative or absolute SQLite path)."""
    from sqlalchemy.engine import make_url

    one, other = make_url(first), make_url(second)
    if one.get_backend_name() != other.get_backend_name():
        return False
    if one.get_backend_name() == "sqlite":
        return Path(one.database or "").resolve() == Path(other.database or "").resolve()
    default_port = {"postgresql": 5432}.get(one.get_backend_name())
    return (one.host or "localhost", one.port or default_port, one.database) == (
        other.host or "localhost",
        other.port or default_port,
        other.database,
    )


def load_settings() -> Settings:
    data_dir = Path(_env("BJ_DATA_DIR", str(PROJECT_ROOT / "data")))
    port = int(_env("BJ_PORT", "3000"))
    settings = Settings(
        env=_env("BJ_ENV", "development"),
        public_url=_env("BJ_PUBLIC_URL", f"http://localhost:{port}").rstrip("/"),
        port=port,
        database_url=_env("BJ_DATABASE_URL", f"sqlite:///{data_dir / 'betterjournal.db'}"),
        keystore_url=_env("BJ_KEYSTORE_URL", f"sqlite:///{data_dir / 'keys.db'}"),
        key_file=Path(_env("BJ_KEY_FILE", str(data_dir / "kek.key"))),
        key_b64=_env("BJ_KEK", ""),
        time_zone=_env("BJ_TIMEZONE", "America/Toronto"),
        client_idle=_minutes("BJ_CLIENT_IDLE_MINUTES", 30),
        clinician_idle=_minutes("BJ_CLINICIAN_IDLE_MINUTES", 15),
        session_lifetime=_minutes("BJ_SESSION_MAX_MINUTES", 12 * 60),
        trust_proxy=_env("BJ_TRUST_PROXY", "false").lower() in {"1", "true", "yes"},
        data_dir=data_dir,
        smtp_url=_env("BJ_SMTP_URL", ""),
        mail_from=_env("BJ_MAIL_FROM", "Betterjournal <no-reply@localhost>"),
        oidc_issuer=_env("BJ_OIDC_ISSUER", "").rstrip("/"),
        oidc_client_id=_env("BJ_OIDC_CLIENT_ID", ""),
        oidc_client_secret=_env("BJ_OIDC_CLIENT_SECRET", ""),
        reminder_round_seconds=_seconds("BJ_REMINDER_ROUND_SECONDS", 60.0),
        session_round_seconds=_seconds("BJ_SESSION_ROUND_SECONDS", 30.0),
        test_kinds=tuple(name for name in _env("BJ_TEST_KINDS", "").split(",") if name.strip()),
    )
    if not is_time_zone(settings.time_zone):
        raise SettingsError("BJ_TIMEZONE must be an IANA time zone such as America/Toronto")
    if settings.env not in {"development", "production"}:
        raise SettingsError("BJ_ENV must be 'development' or 'production'")
    if same_database(settings.keystore_url, settings.database_url):
        raise SettingsError("BJ_KEYSTORE_URL must not be the database: the data keys stay out of its backups")
    if (
        settings.production
        and not settings.database_url.startswith("sqlite")
        and "BJ_KEYSTORE_URL" not in os.environ
    ):
        # With PostgreSQL several machines may run the app: a key store in each one's own
        # data directory would leave each account's key on one machine only.
        raise SettingsError(
            "With a PostgreSQL database, set BJ_KEYSTORE_URL to a key store every machine reaches "
            "(a database of its own)"
        )
    if settings.production and settings.test_kinds:
        raise SettingsError("BJ_TEST_KINDS is for tests only, never in production")
    if settings.production and not settings.secure_cookies:
        raise SettingsError("BJ_PUBLIC_URL must be https:// in production")
    if settings.smtp_url and urlsplit(settings.smtp_url).scheme not in SMTP_SCHEMES:
        raise SettingsError("BJ_SMTP_URL must look like smtp+starttls://user:pass@host:port")
    if settings.production and settings.smtp_url.startswith("smtp://"):
        raise SettingsError("In production BJ_SMTP_URL must use smtp+starttls:// or smtps://")
    if settings.production and settings.oidc_issuer and not settings.oidc_issuer.startswith("https://"):
        raise SettingsError("BJ_OIDC_ISSUER must be https:// in production")
    if settings.production and not settings.key_b64 and data_dir in settings.key_file.parents:
        raise SettingsError(
            "In production the key-encryption key must not live beside the data: "
            "set BJ_KEK or point BJ_KEY_FILE outside BJ_DATA_DIR"
        )
    return settings


@functools.cache
def get_settings() -> Settings:
    return load_settings()
