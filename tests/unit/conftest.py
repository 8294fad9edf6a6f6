"""Fixtures for the core's unit tests.

Every test gets its own SQLite file and its own key-encryption key. The schema comes
from the real Alembic migrations, run once into a template database that also holds
four accounts (argon2 hashing is slow, so users are made once per run); each test
copies that file and gives the accounts fresh data keys wrapped by the test's own KEK.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select
from unit_support import PASSWORD, Account, People, clear_caches


def new_kek() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _point_at(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    """Only our BJ_* variables: nothing from the developer's shell leaks in."""
    for name in list(os.environ):
        if name.startswith("BJ_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BJ_DATA_DIR", str(data_dir))
    monkeypatch.setenv("BJ_KEK", new_kek())
    clear_caches()


@dataclass(frozen=True)
class Template:
    path: Path
    people: People


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    from betterjournal.cli import migrate
    from betterjournal.core import accounts
    from betterjournal.db import get_engine, session_scope
    from betterjournal.models import Role

    directory = tmp_path_factory.mktemp("template")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _point_at(monkeypatch, directory)
        migrate()
        made = {}
        with session_scope() as session:
            for key, name, role in (
                ("client_a", "Client A", Role.CLIENT),
                ("client_b", "Client B", Role.CLIENT),
                ("clinician_a", "Dr. A", Role.CLINICIAN),
                ("clinician_b", "Dr. B", Role.CLINICIAN),
            ):
                email = f"{key.replace('_', '-')}@example.test"
                user = accounts.create_user(
                    session, email=email, display_name=name, password=PASSWORD, role=role
                )
                made[key] = Account(id=user.id, email=email, name=name, role=role)
        engine = get_engine()
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        clear_caches()
    yield Template(path=directory / "betterjournal.db", people=People(**made))


@pytest.fixture(autouse=True)
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test, with or without a database, gets its own data dir and KEK, so nothing
    reads the developer's BJ_* settings or touches ./data."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _point_at(monkeypatch, data_dir)
    yield data_dir
    clear_caches()


@pytest.fixture
def db(template: Template, sandbox: Path) -> Iterator[People]:
    """A private copy of the migrated database with four accounts, a private KEK and a
    private key store."""
    from betterjournal import keystore
    from betterjournal.db import get_engine, session_scope
    from betterjournal.models import User

    shutil.copyfile(template.path, sandbox / "betterjournal.db")
    # The template's data keys are in the template's key store, under the template's KEK:
    # give each account a new data key under this test's KEK, in this test's key store.
    with session_scope() as session:
        for user_id in session.exec(select(User.id)):
            keystore.new_data_key(user_id)
    yield template.people
    get_engine().dispose()
    keystore.get_engine().dispose()
    clear_caches()
