"""CRYPTO-4: what is stored unencrypted is written down, and a new text column can't hide.

docs/data-inventory.md has a markdown table with a row per column:
`| table | column | encrypted |`, `| table | column | plaintext: reason |` or
`| table | column | hashed: reason |`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, Text
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from betterjournal import keystore, models
from betterjournal.settings import PROJECT_ROOT

INVENTORY = PROJECT_ROOT / "docs" / "data-inventory.md"
CHECKED_TABLES = (*models.PHI_TABLES, "user_account")
STATUSES = ("encrypted", "plaintext", "hashed")
_ROW = re.compile(r"^\|\s*`?([a-z_][a-z0-9_]*)`?\s*\|\s*`?([a-z_][a-z0-9_]*)`?\s*\|([^|]*)\|")


def parse_inventory(path: Path) -> dict[tuple[str, str], str]:
    """(table, column) -> what the table says about it ("encrypted", "plaintext: …")."""
    rows: dict[tuple[str, str], str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _ROW.match(line.strip())
        if not match:
            continue
        table, column, status = match.group(1), match.group(2), match.group(3).strip()
        assert (table, column) not in rows, f"{path.name}:{number}: {table}.{column} listed twice"
        rows[(table, column)] = status
    return rows


def is_text(column: Column) -> bool:
    """String, Text, Enum, and decorators over them (sqlmodel's AutoString is one)."""
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    return isinstance(column_type, String | Text)


def unlisted_text_columns(tables: Iterable[Table], inventory: Mapping[tuple[str, str], str]) -> list[str]:
    """Text columns neither encrypted (`_ct`) nor written down in the inventory."""
    return [
        f"{table.name}.{column.name}"
        for table in tables
        for column in table.columns
        if is_text(column) and not column.name.endswith("_ct") and (table.name, column.name) not in inventory
    ]


@pytest.fixture(scope="module")
def inventory() -> dict[tuple[str, str], str]:
    assert INVENTORY.exists(), f"{INVENTORY} is missing"
    return parse_inventory(INVENTORY)


def _tables(names: Iterable[str]) -> list[Table]:
    return [SQLModel.metadata.tables[name] for name in names]


def test_phi_tables_exist() -> None:
    missing = set(CHECKED_TABLES) - set(SQLModel.metadata.tables)
    assert not missing, f"models.PHI_TABLES names tables that don't exist: {sorted(missing)}"


def test_every_text_column_in_a_phi_table_is_encrypted_or_listed(inventory) -> None:
    unlisted = unlisted_text_columns(_tables(CHECKED_TABLES), inventory)
    assert not unlisted, (
        f"Text column(s) {', '.join(unlisted)} are stored in plaintext in a table holding "
        "health information. Encrypt them (a `_ct` LargeBinary column sealed with the "
        "owner's data key) or add a row with the reason to docs/data-inventory.md."
    )


def test_ciphertext_columns_are_binary_and_marked_encrypted(inventory) -> None:
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            if column.name.endswith("_ct"):
                name = f"{table.name}.{column.name}"
                assert isinstance(column.type, LargeBinary), f"{name} must be LargeBinary"
                assert inventory.get((table.name, column.name), "").startswith("encrypted"), (
                    f"{name} is ciphertext: list it as 'encrypted' in docs/data-inventory.md"
                )


# The database's tables and the key store's (which lives apart from the database).
TABLES = {**SQLModel.metadata.tables, **keystore.metadata.tables}


def test_every_column_of_every_table_is_listed(inventory) -> None:
    columns = {(table.name, column.name) for table in TABLES.values() for column in table.columns}
    missing = sorted(f"{t}.{c}" for t, c in columns - inventory.keys())
    stale = sorted(f"{t}.{c}" for t, c in inventory.keys() - columns)
    assert not missing, f"docs/data-inventory.md doesn't list: {', '.join(missing)}"
    assert not stale, f"docs/data-inventory.md lists columns that don't exist: {', '.join(stale)}"


def test_every_row_says_how_it_is_stored_and_why(inventory) -> None:
    for (table, column), status in inventory.items():
        kind, _, reason = status.partition(":")
        assert kind.strip() in STATUSES, f"{table}.{column}: '{status}' isn't one of {STATUSES}"
        if kind.strip() != "encrypted":
            assert reason.strip(), f"{table}.{column}: say why it is stored {kind.strip()}"
        if kind.strip() == "encrypted":
            column_type = TABLES[table].columns[column].type
            assert isinstance(column_type, LargeBinary), f"{table}.{column} isn't ciphertext"


def test_inventory_says_server_side_not_end_to_end() -> None:
    text = INVENTORY.read_text(encoding="utf-8")
    assert "server-side encryption at rest, not end-to-end" in text
    assert "E2EE" not in text


# --- the check itself can fail -------------------------------------------------------


def test_a_new_plaintext_column_is_caught_and_named(inventory) -> None:
    metadata = MetaData()
    table = Table(
        "journal_entry",
        metadata,
        Column("item_id", Integer, primary_key=True),
        Column("title_ct", LargeBinary),
        Column("mood_note", String(200)),
        Column("summary", Text),
        Column("tag", AutoString(length=40)),  # what a `str` field in a SQLModel becomes
        Column("score", Integer),
    )
    assert unlisted_text_columns([table], inventory) == [
        "journal_entry.mood_note",
        "journal_entry.summary",
        "journal_entry.tag",
    ]


def test_the_check_sees_the_real_text_columns() -> None:
    """Guards the type test itself: these columns are text and must be recognised."""
    user_account = SQLModel.metadata.tables["user_account"]
    text_columns = {c.name for c in user_account.columns if is_text(c)}
    assert {"email", "display_name", "password_hash", "role"} <= text_columns
    assert "wrapped_data_key" not in text_columns
    assert unlisted_text_columns([user_account], {}) == [
        f"user_account.{name}"
        for name in (
            "email",
            "display_name",
            "role",
            "password_hash",
            "language",
            "time_zone",
            "pending_email",
            "totp_pending_for",
            "clinic_issuer",
            "clinic_subject",
        )
    ]


def test_parser_reads_the_documented_format(tmp_path: Path) -> None:
    doc = tmp_path / "inventory.md"
    doc.write_text(
        "Intro | with a pipe\n\n"
        "| Table | Column | Stored as |\n"
        "|---|---|---|\n"
        "| journal_entry | title_ct | encrypted |\n"
        "| `user_account` | `email` | plaintext: needed to sign in |\n",
        encoding="utf-8",
    )
    assert parse_inventory(doc) == {
        ("journal_entry", "title_ct"): "encrypted",
        ("user_account", "email"): "plaintext: needed to sign in",
    }
