"""Envelope encryption (CRYPTO-1, CRYPTO-2, CRYPTO-3) and no plaintext in the file (CRYPTO-5)."""

from __future__ import annotations

import base64
import os
import secrets
import stat
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from unit_support import new_entry

from betterjournal import crypto
from betterjournal.core import drafts, items, journal
from betterjournal.crypto import DataKey, DecryptionError, Vault
from betterjournal.db import get_engine, session_scope
from betterjournal.settings import get_settings

TEXT = "I kept thinking about what she said at dinner."


@pytest.fixture
def vault() -> Vault:
    return Vault({1: secrets.token_bytes(32)})


@pytest.fixture
def owner() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def key(vault: Vault, owner: uuid.UUID) -> DataKey:
    return vault.data_key(owner, vault.new_data_key(owner).blob)


def test_associated_data_is_the_documented_layout(key: DataKey, owner: uuid.UUID) -> None:
    """CRYPTO-2: table, column, row, owner and versions, in this order. Ciphertexts already
    stored were sealed with exactly these bytes, so the layout must never drift."""
    row = uuid.uuid4()
    blob = key.seal("journal_entry", "body_ct", row, TEXT)
    expected = f"{crypto.FORMAT_VERSION}|journal_entry|body_ct|{row}|{owner}|{crypto.DATA_KEY_VERSION}"
    nonce, sealed = blob[2 : 2 + crypto.NONCE_BYTES], blob[2 + crypto.NONCE_BYTES :]
    assert key._aead.decrypt(nonce, sealed, expected.encode()).decode() == TEXT


def test_seal_then_open_round_trips(key: DataKey) -> None:
    row = uuid.uuid4()
    for plain in (TEXT, "", "é ✓ 日本語 😀", "x" * 50_000):
        blob = key.seal("journal_entry", "body_ct", row, plain)
        assert key.open("journal_entry", "body_ct", row, blob) == plain


def test_unwrapped_data_key_survives_a_new_vault_with_the_same_kek(owner: uuid.UUID) -> None:
    kek = secrets.token_bytes(32)
    wrapped = Vault({1: kek}).new_data_key(owner)
    blob = Vault({1: kek}).data_key(owner, wrapped.blob).seal("draft", "body_ct", owner, TEXT)
    assert Vault({1: kek}).data_key(owner, wrapped.blob).open("draft", "body_ct", owner, blob) == TEXT
    assert wrapped.kek_version == 1


@pytest.mark.parametrize(
    ("table", "column", "other_row"),
    [
        ("journal_entry", "body_ct", True),  # another row
        ("journal_entry", "title_ct", False),  # another column
        ("item_draft", "payload_ct", False),  # another table
    ],
)
def test_ciphertext_is_bound_to_its_place(key: DataKey, table: str, column: str, other_row: bool) -> None:
    row = uuid.uuid4()
    blob = key.seal("journal_entry", "body_ct", row, TEXT)
    with pytest.raises(DecryptionError):
        key.open(table, column, uuid.uuid4() if other_row else row, blob)


def test_ciphertext_is_bound_to_its_owner_even_under_the_same_key() -> None:
    raw = secrets.token_bytes(32)
    row = uuid.uuid4()
    blob = DataKey(uuid.uuid4(), raw).seal("journal_entry", "body_ct", row, TEXT)
    with pytest.raises(DecryptionError):
        DataKey(uuid.uuid4(), raw).open("journal_entry", "body_ct", row, blob)


def test_another_users_data_key_cannot_open_it(vault: Vault, key: DataKey) -> None:
    row = uuid.uuid4()
    blob = key.seal("journal_entry", "body_ct", row, TEXT)
    stranger = uuid.uuid4()
    other = vault.data_key(stranger, vault.new_data_key(stranger).blob)
    with pytest.raises(DecryptionError):
        other.open("journal_entry", "body_ct", row, blob)


def test_every_tampered_byte_fails(key: DataKey) -> None:
    row = uuid.uuid4()
    blob = key.seal("journal_entry", "body_ct", row, TEXT)
    for index in range(len(blob)):
        tampered = bytearray(blob)
        tampered[index] ^= 0x01
        with pytest.raises(DecryptionError):
            key.open("journal_entry", "body_ct", row, bytes(tampered))


@pytest.mark.parametrize("cut", [0, 1, 2, 14, 29, -1])
def test_truncated_or_extended_ciphertext_fails(key: DataKey, cut: int) -> None:
    row = uuid.uuid4()
    blob = key.seal("journal_entry", "body_ct", row, TEXT)
    with pytest.raises(DecryptionError):
        key.open("journal_entry", "body_ct", row, blob[:cut])
    with pytest.raises(DecryptionError):
        key.open("journal_entry", "body_ct", row, blob + b"\x00")


def test_wrong_kek_cannot_unwrap(vault: Vault, owner: uuid.UUID) -> None:
    wrapped = vault.new_data_key(owner)
    with pytest.raises(DecryptionError):
        Vault({1: secrets.token_bytes(32)}).data_key(owner, wrapped.blob)


def test_wrapped_key_is_bound_to_its_owner(vault: Vault, owner: uuid.UUID) -> None:
    wrapped = vault.new_data_key(owner)
    with pytest.raises(DecryptionError):
        vault.data_key(uuid.uuid4(), wrapped.blob)


def test_wrapped_key_does_not_contain_the_data_key(vault: Vault, owner: uuid.UUID) -> None:
    # Same owner, same KEK: two wraps of two keys share nothing but length.
    first, second = vault.new_data_key(owner).blob, vault.new_data_key(owner).blob
    assert first != second
    assert len(first) == 12 + 32 + 16


def test_ciphertext_contains_no_plaintext(key: DataKey) -> None:
    marker = "PLAINTEXT-MARKER-7c1e"
    blob = key.seal("journal_entry", "body_ct", uuid.uuid4(), f"before {marker} after")
    assert marker.encode() not in blob
    assert b"before" not in blob
    assert b"after" not in blob


def test_fresh_nonce_per_seal(key: DataKey) -> None:
    row = uuid.uuid4()
    blobs = [key.seal("journal_entry", "body_ct", row, TEXT) for _ in range(50)]
    nonces = {blob[2 : 2 + crypto.NONCE_BYTES] for blob in blobs}
    assert len(nonces) == len(blobs)
    assert len(set(blobs)) == len(blobs)


def test_generate_key_file_is_private_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "kek.key"
    assert crypto.generate_key_file(path) is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_text()
    assert len(base64.b64decode(first.strip(), validate=True)) == 32
    assert crypto.generate_key_file(path) is False
    assert path.read_text() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_generate_key_file_is_600_even_with_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        assert crypto.generate_key_file(tmp_path / "kek.key")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "kek.key").stat().st_mode) == 0o600


def test_vault_from_a_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db) -> None:
    key_file = tmp_path / "elsewhere" / "kek.key"
    crypto.generate_key_file(key_file)
    monkeypatch.delenv("BJ_KEK")
    monkeypatch.setenv("BJ_KEY_FILE", str(key_file))
    get_settings.cache_clear()
    crypto.get_vault.cache_clear()
    owner = uuid.uuid4()
    wrapped = crypto.get_vault().new_data_key(owner)
    kek = base64.b64decode(key_file.read_text().strip())
    Vault({1: kek}).data_key(owner, wrapped.blob)  # the file's key is the one in use


@pytest.mark.parametrize("bad", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_kek_is_refused(monkeypatch: pytest.MonkeyPatch, db, bad: str) -> None:
    monkeypatch.setenv("BJ_KEK", bad)
    get_settings.cache_clear()
    crypto.get_vault.cache_clear()
    with pytest.raises(crypto.KeyError_):
        crypto.get_vault()


def test_a_missing_kek_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db) -> None:
    monkeypatch.delenv("BJ_KEK")
    monkeypatch.setenv("BJ_KEY_FILE", str(tmp_path / "missing.key"))
    get_settings.cache_clear()
    crypto.get_vault.cache_clear()
    with pytest.raises(crypto.KeyError_):
        crypto.get_vault()


# --- in the database ------------------------------------------------------------------


def _swap(sql: str, **params: object) -> None:
    with session_scope() as session:
        session.connection().execute(text(sql), params)


def _hex(value: uuid.UUID) -> str:
    return value.hex  # how SQLAlchemy's Uuid type stores ids in SQLite


def _open_entry(owner_id: uuid.UUID, entry_id: uuid.UUID) -> dict[str, str]:
    with session_scope() as session:
        return items.open_own(session, owner_id=owner_id, kind=journal.KIND, item_id=entry_id).fields


def test_ciphertext_copied_to_another_entry_fails_closed(db) -> None:
    with session_scope() as session:
        first = new_entry(session, owner_id=db.client_a.id, title="One", body="first body")
        second = new_entry(session, owner_id=db.client_a.id, title="Two", body="second body")
    _swap(
        "UPDATE journal_entry SET body_ct = (SELECT body_ct FROM journal_entry WHERE item_id = :a)"
        " WHERE item_id = :b",
        a=_hex(first),
        b=_hex(second),
    )
    with pytest.raises(DecryptionError):
        _open_entry(db.client_a.id, second)
    with session_scope() as session, pytest.raises(DecryptionError):
        items.list_own(session, owner_id=db.client_a.id, kind=journal.KIND)


def test_ciphertext_copied_to_another_column_fails_closed(db) -> None:
    with session_scope() as session:
        entry = new_entry(session, owner_id=db.client_a.id, title="A title", body="a body")
    _swap("UPDATE journal_entry SET title_ct = body_ct WHERE item_id = :a", a=_hex(entry))
    with pytest.raises(DecryptionError):
        _open_entry(db.client_a.id, entry)


def test_ciphertext_copied_to_another_table_fails_closed(db) -> None:
    with session_scope() as session:
        entries = [new_entry(session, owner_id=db.client_a.id, body=f"saved body {n}") for n in (1, 2)]
        for entry in entries:
            drafts.save(
                session,
                owner_id=db.client_a.id,
                kind=journal.KIND,
                item_id=entry,
                values={"title": "", "body": "draft body"},
            )
    # The entry's body put in its draft, and a draft put in the entry's body.
    _swap(
        "UPDATE item_draft SET payload_ct = (SELECT body_ct FROM journal_entry WHERE item_id = :a)"
        " WHERE item_id = :a",
        a=_hex(entries[0]),
    )
    with session_scope() as session, pytest.raises(DecryptionError):
        drafts.get(session, owner_id=db.client_a.id, item_id=entries[0])
    _swap(
        "UPDATE journal_entry SET body_ct = (SELECT payload_ct FROM item_draft WHERE item_id = :a)"
        " WHERE item_id = :a",
        a=_hex(entries[1]),
    )
    with pytest.raises(DecryptionError):
        _open_entry(db.client_a.id, entries[1])


def test_a_draft_copied_to_another_item_fails_closed(db) -> None:
    with session_scope() as session:
        for item_id, body in ((first := uuid.uuid4(), "first draft"), (second := uuid.uuid4(), "second")):
            drafts.save(
                session,
                owner_id=db.client_a.id,
                kind=journal.KIND,
                item_id=item_id,
                values={"title": "", "body": body},
            )
    _swap(
        "UPDATE item_draft SET payload_ct = (SELECT payload_ct FROM item_draft WHERE item_id = :a)"
        " WHERE item_id = :b",
        a=_hex(first),
        b=_hex(second),
    )
    with session_scope() as session, pytest.raises(DecryptionError):
        drafts.get(session, owner_id=db.client_a.id, item_id=second)
    with session_scope() as session, pytest.raises(DecryptionError):
        drafts.list_new(session, owner_id=db.client_a.id, kind=journal.KIND)


def test_ciphertext_copied_to_another_owner_fails_closed(db) -> None:
    with session_scope() as session:
        mine = new_entry(session, owner_id=db.client_a.id, body="client a wrote this")
        theirs = new_entry(session, owner_id=db.client_b.id, body="client b wrote this")
    _swap(
        "UPDATE journal_entry SET body_ct = (SELECT body_ct FROM journal_entry WHERE item_id = :a)"
        " WHERE item_id = :b",
        a=_hex(mine),
        b=_hex(theirs),
    )
    with pytest.raises(DecryptionError):
        _open_entry(db.client_b.id, theirs)
    # Even moving the whole row (ciphertext and ownership) to the other user fails.
    _swap(
        "UPDATE client_item SET owner_id = (SELECT owner_id FROM client_item WHERE id = :b) WHERE id = :a",
        a=_hex(mine),
        b=_hex(theirs),
    )
    with pytest.raises(DecryptionError):
        _open_entry(db.client_b.id, mine)


def test_a_different_kek_cannot_read_the_database(db, monkeypatch: pytest.MonkeyPatch) -> None:
    with session_scope() as session:
        entry = new_entry(session, owner_id=db.client_a.id, body="needs the right key")
    monkeypatch.setenv("BJ_KEK", base64.b64encode(secrets.token_bytes(32)).decode())
    get_settings.cache_clear()
    crypto.get_vault.cache_clear()
    with pytest.raises(DecryptionError):
        _open_entry(db.client_a.id, entry)


def _database_bytes() -> bytes:
    path = Path(get_settings().database_url.removeprefix("sqlite:///"))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_database_file_and_wal_hold_no_plaintext(db) -> None:
    title_marker = "TITLE-MARKER-93b1d0"
    body_marker = "BODY-MARKER-5f0a7e"
    draft_marker = "DRAFT-MARKER-2c4e88"
    with session_scope() as session:
        entry = new_entry(
            session,
            owner_id=db.client_a.id,
            title=f"About {title_marker}",
            body=f"Today {body_marker} happened.\nAnd then more.",
        )
        drafts.save(
            session,
            owner_id=db.client_a.id,
            kind=journal.KIND,
            item_id=(draft_id := uuid.uuid4()),
            values={"title": draft_marker, "body": f"unsaved {draft_marker}"},
        )
    # Read back through the app, so the markers certainly went through the database.
    assert body_marker in _open_entry(db.client_a.id, entry)["body"]
    with session_scope() as session:
        draft = drafts.get(session, owner_id=db.client_a.id, item_id=draft_id)
        assert draft is not None
        assert draft_marker in draft.fields["body"]

    def scan() -> bytes:
        data = _database_bytes()
        # The scan reads the right file: the (deliberately plaintext) email is there.
        assert db.client_a.email.encode() in data
        for marker in (title_marker, body_marker, draft_marker):
            assert marker.encode() not in data, f"{marker} found in the database file"
        return data

    scan()  # before a checkpoint: the new pages are in the WAL
    with get_engine().connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    scan()  # after: they are in the main file
