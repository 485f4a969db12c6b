"""Endpoint secrets: generated in Standard Webhooks form, stored only encrypted.

The signing secret must be readable by the dispatcher (HMAC needs the clear
key), so it cannot be hashed like an API token; it is encrypted with Fernet
(AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key that lives outside
the database: a dump alone reveals no secret.

The key comes from `CIIFLOW_SECRET_KEY` (one Fernet key, or several separated
by commas: the first encrypts, all decrypt, so the key itself can be rotated).
Without it, `var/secret.key` (or `CIIFLOW_SECRET_KEY_FILE`) is created on first
use with mode 0600, atomically (O_EXCL), so two processes starting together
end up with the same key.
"""

from __future__ import annotations

import base64
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the spec allows 24 to 64
DEFAULT_KEY_FILE = Path("var") / "secret.key"


class SecretKeyError(RuntimeError):
    """The encryption key is missing, malformed or does not open a stored secret."""


def generate_secret() -> str:
    """A new signing secret, `whsec_` + base64 of 32 random bytes (shown once to its owner)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key_file() -> Path:
    return Path(os.environ.get("CIIFLOW_SECRET_KEY_FILE") or DEFAULT_KEY_FILE)


def _read_or_create_key_file(path: Path) -> bytes:
    """Read the key file, or create it with a fresh key, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes().strip()
        if not key:
            raise SecretKeyError(f"{path} is empty") from None
        return key
    key = Fernet.generate_key()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


@lru_cache(maxsize=8)
def _box(env_keys: str | None, key_file: str) -> MultiFernet:
    raw = [k.strip() for k in (env_keys or "").split(",") if k.strip()]
    keys = [k.encode() for k in raw] or [_read_or_create_key_file(Path(key_file))]
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except (ValueError, TypeError) as exc:
        raise SecretKeyError("CIIFLOW_SECRET_KEY is not a valid Fernet key") from exc


def box() -> MultiFernet:
    """The Fernet box for the current environment (cached per key configuration)."""
    return _box(os.environ.get("CIIFLOW_SECRET_KEY"), str(_key_file()))


def encrypt(secret: str) -> str:
    return box().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return box().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretKeyError("a stored webhook secret does not open with the configured key"
                             ) from exc
