"""Envelope encryption: the one way anything is encrypted at rest.

Each user has a random 256-bit data key. It is stored only wrapped (AES-256-GCM) by
the key-encryption key (KEK), which lives outside the database: the BJ_KEK environment
variable, or a key file (mode 600) that `betterjournal init` creates for a local run.

Every field ciphertext is bound, through GCM associated data, to its table, column,
row id, owner id and data-key version (CRYPTO-2): copied to another row or another
user, it fails to decrypt, and a failure is an error, never content (CRYPTO-3).
This is server-side encryption at rest, not end-to-end encryption.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from betterjournal.settings import get_settings

FORMAT_VERSION = 1
DATA_KEY_VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32


# The owner named in the associated data of what the deployment seals for itself.
SYSTEM_OWNER = uuid.UUID(int=0)


class DecryptionError(Exception):
    """A ciphertext could not be opened: wrong key, wrong place, or tampered."""


class KeyError_(RuntimeError):
    """The key-encryption key is missing or malformed."""


def generate_key_file(path: Path) -> bool:
    """Create a new random KEK file (mode 600) unless one exists. True if created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode() + "\n")
    return True


def _decode_key(encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except ValueError as exc:
        raise KeyError_("the key-encryption key is not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise KeyError_("the key-encryption key must be 32 bytes")
    return key


@functools.cache
def get_vault() -> Vault:
    settings = get_settings()
    if settings.key_b64:
        return Vault(_decode_key(settings.key_b64))
    if not settings.key_file.exists():
        raise KeyError_("no key-encryption key: run `betterjournal init` or set BJ_KEK")
    return Vault(_decode_key(settings.key_file.read_text()))


def _aad(*parts: object) -> bytes:
    return "|".join(str(part) for part in parts).encode()


@dataclass(frozen=True)
class WrappedKey:
    blob: bytes
    kek_version: int


class Vault:
    """Holds the KEK; wraps and unwraps per-user data keys."""

    def __init__(self, kek: bytes, kek_version: int = 1) -> None:
        self._kek = AESGCM(kek)
        self.kek_version = kek_version
        self._derive_root = kek

    def new_data_key(self, owner_id: uuid.UUID) -> WrappedKey:
        nonce = secrets.token_bytes(NONCE_BYTES)
        key = AESGCM.generate_key(bit_length=256)
        aad = _aad("data-key", owner_id, DATA_KEY_VERSION, self.kek_version)
        return WrappedKey(nonce + self._kek.encrypt(nonce, key, aad), self.kek_version)

    def data_key(self, owner_id: uuid.UUID, wrapped: bytes) -> DataKey:
        aad = _aad("data-key", owner_id, DATA_KEY_VERSION, self.kek_version)
        try:
            key = self._kek.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
        except InvalidTag as exc:
            raise DecryptionError("data key") from exc
        return DataKey(owner_id, key)

    def derived_secret(self, purpose: str) -> bytes:
        """A secret for another purpose (e.g. signing form tokens), derived from the KEK."""
        hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose.encode())
        return hkdf.derive(self._derive_root)

    def system_key(self, purpose: str) -> DataKey:
        """A data key of the deployment's own (e.g. for the email outbox), derived from the KEK."""
        return DataKey(SYSTEM_OWNER, self.derived_secret(purpose))

    def sign(self, purpose: str, message: bytes) -> str:
        mac = hmac.new(self.derived_secret(purpose), message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")


class DataKey:
    """One user's unwrapped data key, kept only for the length of one unit of work."""

    __slots__ = ("_aad_tail", "_aead", "owner_id")

    def __init__(self, owner_id: uuid.UUID, key: bytes) -> None:
        self.owner_id = owner_id
        self._aead = AESGCM(key)
        self._aad_tail = f"{owner_id}|{DATA_KEY_VERSION}"

    def _aad(self, table: str, column: str, row_id: uuid.UUID | str) -> bytes:
        """FORMAT_VERSION|table|column|row id|owner id|DATA_KEY_VERSION (CRYPTO-2).

        A row id may come as its text (`str(uuid)`), when the caller has it already.
        """
        return f"{FORMAT_VERSION}|{table}|{column}|{row_id}|{self._aad_tail}".encode()

    def seal(self, table: str, column: str, row_id: uuid.UUID | str, text: str) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        aad = self._aad(table, column, row_id)
        header = bytes([FORMAT_VERSION, DATA_KEY_VERSION])
        return header + nonce + self._aead.encrypt(nonce, text.encode(), aad)

    def seal_field(self, attribute: Any, row_id: uuid.UUID | str, text: str) -> bytes | None:
        """`text` sealed for a model's encrypted column (`Model.x_ct`); None for no text."""
        return self.seal(*encrypted_column(attribute), row_id, text) if text else None

    def open_field(self, attribute: Any, row_id: uuid.UUID | str, blob: bytes | None) -> str:
        """What `seal_field` sealed; '' for none."""
        return self.open(*encrypted_column(attribute), row_id, blob) if blob else ""

    def open(self, table: str, column: str, row_id: uuid.UUID | str, blob: bytes) -> str:
        # Both header bytes are checked: they are not part of the GCM associated data.
        if len(blob) < 2 + NONCE_BYTES + 16 or blob[0] != FORMAT_VERSION or blob[1] != DATA_KEY_VERSION:
            raise DecryptionError(f"{table}.{column}")
        nonce = blob[2 : 2 + NONCE_BYTES]
        try:
            plain = self._aead.decrypt(nonce, blob[2 + NONCE_BYTES :], self._aad(table, column, row_id))
        except InvalidTag as exc:
            raise DecryptionError(f"{table}.{column}") from exc
        return plain.decode()


def encrypted_column(attribute: Any) -> tuple[str, str]:
    """(table, column) of a model column declared encrypted in its model's `__encrypted__`.

    The associated data names come from the model, never from string literals at call sites.
    """
    model, name = attribute.class_, attribute.key
    if name not in getattr(model, "__encrypted__", ()):
        raise ValueError(f"{model.__name__}.{name} is not declared encrypted")
    return model.__tablename__, name


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
