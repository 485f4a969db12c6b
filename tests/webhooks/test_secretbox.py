"""Secrets: Standard Webhooks form, encrypted at rest, key file created private."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from webhooks import secretbox


def test_a_secret_is_whsec_base64_of_32_random_bytes() -> None:
    secret = secretbox.generate_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret[6:])) == 32
    assert secret != secretbox.generate_secret()


def test_without_an_env_key_a_private_key_file_is_made_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "var" / "secret.key"
    monkeypatch.delenv("CIIFLOW_SECRET_KEY")
    monkeypatch.setenv("CIIFLOW_SECRET_KEY_FILE", str(key_file))
    token = secretbox.encrypt("whsec_abc")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "whsec_abc" not in token and secretbox.decrypt(token) == "whsec_abc"
    first = key_file.read_bytes()
    secretbox._box.cache_clear()
    assert secretbox.decrypt(token) == "whsec_abc" and key_file.read_bytes() == first


def test_another_key_cannot_open_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptography.fernet import Fernet

    token = secretbox.encrypt("whsec_abc")
    monkeypatch.setenv("CIIFLOW_SECRET_KEY", Fernet.generate_key().decode())
    with pytest.raises(secretbox.SecretKeyError):
        secretbox.decrypt(token)


def test_old_keys_still_open_after_key_rotation(monkeypatch: pytest.MonkeyPatch,
                                                secret_key: str) -> None:
    from cryptography.fernet import Fernet

    token = secretbox.encrypt("whsec_abc")
    monkeypatch.setenv("CIIFLOW_SECRET_KEY", f"{Fernet.generate_key().decode()},{secret_key}")
    assert secretbox.decrypt(token) == "whsec_abc"
