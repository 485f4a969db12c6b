"""Endpoint secrets: generated in Standard Webhooks form, stored only encrypted.

The signing secret must be readable by the dispatcher (HMAC needs the clear
key), so it cannot be hashed like an API token; it is encrypted with Fernet
(AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key that lives outside
the database: a dump alone reveals no secret.

Where the key comes from, first match wins:

1. `CIIFLOW_SECRET_KEY`: the key itself (one Fernet key, or several separated
   by commas: the first encrypts, all decrypt, so the key can be rotated).
   Every host of a deployment on PostgreSQL sets it.
2. `CIIFLOW_SECRET_KEY_FILE`: the path of a file holding the key.
3. The embedded default: `secret.key` beside the SQLite database file. It is
   anchored to the database, never to the working directory, because a worker
   started elsewhere once made a key of its own and no stored secret opened.
   A database that is not a file (PostgreSQL) has no default: set 1 or 2.

Only storing a new secret (`encrypt`) may create the key file (mode 0600,
atomically with O_EXCL, so two processes starting together share one key);
reading (`decrypt`) never does, so a process that finds stored secrets it
cannot open fails with `SecretKeyError` instead of making a useless key.
"""

from __future__ import annotations

import base64
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.engine import URL, make_url

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the spec allows 24 to 64
KEY_FILE_NAME = "secret.key"
HINT = ("set CIIFLOW_SECRET_KEY to the key the other ciiflow processes use "
        "(or CIIFLOW_SECRET_KEY_FILE to its file)")

#: the database the embedded default is anchored to (set by `use_database`)
_database: list[URL] = []


class SecretKeyError(RuntimeError):
    """The encryption key is missing, malformed or does not open a stored secret."""


def generate_secret() -> str:
    """A new signing secret, `whsec_` + base64 of 32 random bytes (shown once to its owner)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def use_database(url: str | URL) -> None:
    """Anchor the embedded key file to this database (the process's one database)."""
    _database[:] = [make_url(url) if isinstance(url, str) else url]


def _anchor() -> URL:
    if _database:
        return _database[0]
    return _env_database(os.environ.get("CIIFLOW_DATABASE_URL"))


@lru_cache(maxsize=8)
def _env_database(_url: str | None) -> URL:
    """The database of the environment (the argument keys the cache on the variable)."""
    from engine.config import Settings

    return make_url(Settings.from_env().database_url)


def key_file() -> Path | None:
    """The key file in use: `CIIFLOW_SECRET_KEY_FILE`, else beside the SQLite file, else none."""
    return _key_path(os.environ.get("CIIFLOW_SECRET_KEY_FILE"), _anchor())


@lru_cache(maxsize=8)
def _key_path(explicit: str | None, url: URL) -> Path | None:
    """Cached: the dispatcher opens secrets on every round, resolving paths each time cost
    a quarter of a millisecond per secret."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser().resolve().parent / KEY_FILE_NAME


def describe() -> str:
    """Where the key comes from, for messages (never the key itself)."""
    if os.environ.get("CIIFLOW_SECRET_KEY", "").strip():
        return "CIIFLOW_SECRET_KEY"
    found = key_file()
    return str(found) if found is not None else "no key configured"


def _read_key_file(path: Path, *, create: bool) -> bytes:
    """Read the key file; create it with a fresh key (owner-only) when `create` allows."""
    if not create:
        try:
            key = path.read_bytes().strip()
        except FileNotFoundError:
            raise SecretKeyError(f"no secret key: {path} does not exist; {HINT}") from None
        if not key:
            raise SecretKeyError(f"no secret key: {path} is empty; {HINT}")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key_file(path, create=False)
    key = Fernet.generate_key()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


@lru_cache(maxsize=8)
def _box(env_keys: str | None, path: str | None, create: bool) -> MultiFernet:
    raw = [k.strip() for k in (env_keys or "").split(",") if k.strip()]
    if raw:
        keys = [k.encode() for k in raw]
    elif path is None:
        raise SecretKeyError(f"no secret key for a database that is not a file; {HINT}")
    else:
        keys = [_read_key_file(Path(path), create=create)]
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except (ValueError, TypeError) as exc:
        raise SecretKeyError(f"the secret key ({describe()}) is not a valid Fernet key; "
                             f"{HINT}") from exc


def box(*, create: bool = False) -> MultiFernet:
    """The Fernet box for the current environment (cached per key configuration)."""
    env_keys = os.environ.get("CIIFLOW_SECRET_KEY")
    if env_keys and env_keys.strip():
        return _box(env_keys, None, create)
    found = key_file()
    return _box(None, str(found) if found else None, create)


def encrypt(secret: str) -> str:
    return box(create=True).encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return box().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretKeyError(f"the stored webhook secrets do not open with the secret key "
                             f"({describe()}); {HINT}") from exc
