"""Envelope encryption: the one way anything is encrypted at rest.

Each user has a random 256-bit data key. It is stored only wrapped (AES-256-GCM) by
the key-encryption key (KEK), which lives outside the database: the BJ_KEK environment
variable, or a key file (mode 600) that `betterjournal init` creates for a local run.
Wrapped data keys live in the key store (keystore.py), apart from the data they open.
While a KEK is rotated the ring holds several, by version (CRYPTO-6): data keys are
re-wrapped by the newest, and nothing they encrypted is touched.

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
from collections.abc import Mapping
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


def parse_keyring(text: str) -> dict[int, bytes]:
    """The KEKs in a key file or BJ_KEK, by version: `BASE64` alone is version 1; a ring
    being rotated holds `VERSION:BASE64` entries, one per line or separated by commas."""
    ring: dict[int, bytes] = {}
    for entry in text.replace(",", "\n").split():
        version, _, encoded = entry.rpartition(":")
        if version and not (version.isascii() and version.isdigit()):
            raise KeyError_("a key-encryption key's version must be a whole number, as in 2:BASE64")
        number = int(version or 1)
        if number in ring:
            raise KeyError_(f"two key-encryption keys have version {number}")
        ring[number] = _decode_key(encoded)
    if not ring:
        raise KeyError_("the key-encryption key is empty")
    return ring


def format_keyring(ring: dict[int, bytes]) -> str:
    return "".join(f"{version}:{base64.b64encode(ring[version]).decode()}\n" for version in sorted(ring))


def add_key_to_file(path: Path) -> int:
    """Add a new random KEK to the key file as its newest version (the file is rewritten
    whole, then renamed over the old one, mode 600). The new version."""
    ring = parse_keyring(path.read_text())
    version = max(ring) + 1
    ring[version] = secrets.token_bytes(KEY_BYTES)
    fresh = path.with_name(path.name + ".new")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(format_keyring(ring))
        handle.flush()
        os.fsync(handle.fileno())
    fresh.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)
    return version


@functools.cache
def get_vault() -> Vault:
    """The KEK ring as the process first read it (see read_vault)."""
    return read_vault()


def read_vault() -> Vault:
    """The KEK ring as it is now: BJ_KEK, or the key file read again. A new data key is
    wrapped with this one, so a KEK added by `kek-new` is used at once by a running app."""
    settings = get_settings()
    if settings.key_b64:
        return Vault(parse_keyring(settings.key_b64))
    if not settings.key_file.exists():
        raise KeyError_("no key-encryption key: run `betterjournal init` or set BJ_KEK")
    return Vault(parse_keyring(settings.key_file.read_text()))


def _aad(*parts: object) -> bytes:
    return "|".join(str(part) for part in parts).encode()


@dataclass(frozen=True)
class WrappedKey:
    blob: bytes
    kek_version: int


class UnknownKek(KeyError_):
    """A data key is wrapped by a KEK version this vault does not hold."""


class Vault:
    """Holds the KEKs by version (CRYPTO-6): wraps data keys with the newest, unwraps them
    with the version they were wrapped by, and re-wraps them without touching the data."""

    def __init__(self, ring: Mapping[int, bytes]) -> None:
        if not ring:
            raise KeyError_("no key-encryption key")
        self._keks = {version: AESGCM(kek) for version, kek in ring.items()}
        self._roots = dict(ring)
        self.kek_version = max(ring)
        self.versions = frozenset(ring)

    def _wrap(self, owner_id: uuid.UUID, key: bytes) -> WrappedKey:
        nonce = secrets.token_bytes(NONCE_BYTES)
        aad = _aad("data-key", owner_id, DATA_KEY_VERSION, self.kek_version)
        return WrappedKey(nonce + self._keks[self.kek_version].encrypt(nonce, key, aad), self.kek_version)

    def _unwrap(self, owner_id: uuid.UUID, wrapped: bytes, kek_version: int) -> bytes:
        kek = self._keks.get(kek_version)
        if kek is None:
            raise UnknownKek(f"no key-encryption key of version {kek_version}")
        aad = _aad("data-key", owner_id, DATA_KEY_VERSION, kek_version)
        try:
            return kek.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
        except InvalidTag as exc:
            raise DecryptionError("data key") from exc

    def new_data_key(self, owner_id: uuid.UUID) -> WrappedKey:
        return self._wrap(owner_id, AESGCM.generate_key(bit_length=256))

    def data_key(self, owner_id: uuid.UUID, wrapped: bytes, kek_version: int = 1) -> DataKey:
        return DataKey(owner_id, self._unwrap(owner_id, wrapped, kek_version))

    def rewrap(self, owner_id: uuid.UUID, wrapped: bytes, kek_version: int) -> WrappedKey:
        """The same data key wrapped by the newest KEK: what it encrypted opens as before."""
        return self._wrap(owner_id, self._unwrap(owner_id, wrapped, kek_version))

    def derived_secret(self, purpose: str, kek_version: int | None = None) -> bytes:
        """A secret for another purpose (e.g. signing form tokens), derived from a KEK
        (the newest unless a version is named)."""
        hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose.encode())
        return hkdf.derive(self._roots[self.kek_version if kek_version is None else kek_version])

    def system_key(self, purpose: str) -> SystemKey:
        """A key of the deployment's own (e.g. for the email outbox), derived from the KEKs."""
        return SystemKey(
            [DataKey(SYSTEM_OWNER, self.derived_secret(purpose, version)) for version in self._newest_first()]
        )

    def sign(self, purpose: str, message: bytes) -> str:
        return self._mac(purpose, message, self.kek_version)

    def verify(self, purpose: str, message: bytes, mac: str) -> bool:
        """Whether `mac` is what `sign` gave under any KEK still held (compared in constant time)."""
        if not mac.isascii():  # compare_digest refuses non-ASCII text: not ours, whatever it is
            return False
        return any(
            hmac.compare_digest(mac, self._mac(purpose, message, version)) for version in self.versions
        )

    def _mac(self, purpose: str, message: bytes, kek_version: int) -> str:
        mac = hmac.new(self.derived_secret(purpose, kek_version), message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def _newest_first(self) -> list[int]:
        return sorted(self.versions, reverse=True)


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


class SystemKey:
    """A key of the deployment's own: seals with the newest KEK's, opens with any KEK's
    still held, so what was sealed before a rotation still opens until its KEK is retired."""

    __slots__ = ("_keys",)

    def __init__(self, keys: list[DataKey]) -> None:
        self._keys = keys

    def seal(self, table: str, column: str, row_id: uuid.UUID | str, text: str) -> bytes:
        return self._keys[0].seal(table, column, row_id, text)

    def seal_field(self, attribute: Any, row_id: uuid.UUID | str, text: str) -> bytes | None:
        return self.seal(*encrypted_column(attribute), row_id, text) if text else None

    def open(self, table: str, column: str, row_id: uuid.UUID | str, blob: bytes) -> str:
        for key in self._keys[:-1]:
            try:
                return key.open(table, column, row_id, blob)
            except DecryptionError:
                continue
        return self._keys[-1].open(table, column, row_id, blob)

    def open_field(self, attribute: Any, row_id: uuid.UUID | str, blob: bytes | None) -> str:
        return self.open(*encrypted_column(attribute), row_id, blob) if blob else ""


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
