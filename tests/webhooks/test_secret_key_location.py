"""The secret key does not depend on the working directory, and a worker or server whose
key does not open the stored secrets refuses to start, saying which setting to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import select

import webhooks
from engine import Engine, ManualClock
from tests.support.principals import add_principal
from webhooks import secretbox
from webhooks.models import WebhookDelivery
from workflows.app import create_app

from .conftest import add_endpoint, queue_one
from .receivers import Receiver

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from workflows.cli import main; main()"]


def worker_once(db_url: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`ciiflow worker --once` as an operator starts it: its own process, its own directory."""
    base = {k: v for k, v in os.environ.items()
            if k not in ("CIIFLOW_SECRET_KEY", "CIIFLOW_SECRET_KEY_FILE")}
    full = {**base, "CIIFLOW_DATABASE_URL": db_url, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([*CLI, "worker", "--once"], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=60, check=False)


def status_of(engine: Engine) -> list[str]:
    with engine.sessions() as s:
        return list(s.scalars(select(WebhookDelivery.status)))


@pytest.mark.parametrize("other_key", [False, True], ids=["no-key", "another-key"])
def test_a_worker_without_the_key_refuses_to_start(
        wengine: Engine, db_url: str, tmp_path: Path, other_key: bool) -> None:
    principal = add_principal(wengine, "sas", "institution", ["g"]).id
    endpoint_id, _ = add_endpoint(wengine, principal, "http://127.0.0.1:9/in")
    queue_one(wengine, endpoint_id)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"CIIFLOW_SECRET_KEY": Fernet.generate_key().decode()} if other_key else {}
    done = worker_once(db_url, elsewhere, **env)
    assert done.returncode == 1, done.stdout + done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: refusing to start, 1 stored webhook secret(s) cannot be ")
    assert "CIIFLOW_SECRET_KEY" in line and "Traceback" not in done.stderr
    assert status_of(wengine) == ["pending"]
    assert not (elsewhere / "var").exists()  # no stray key (nor database) made there



def test_the_standalone_dispatcher_without_the_key_refuses_to_start(
        wengine: Engine, db_url: str, tmp_path: Path) -> None:
    """`python -m webhooks.dispatcher` checks the key as `ciiflow worker` does."""
    principal = add_principal(wengine, "sas", "institution", ["g"]).id
    endpoint_id, _ = add_endpoint(wengine, principal, "http://127.0.0.1:9/in")
    queue_one(wengine, endpoint_id)
    base = {k: v for k, v in os.environ.items()
            if k not in ("CIIFLOW_SECRET_KEY", "CIIFLOW_SECRET_KEY_FILE")}
    env = {**base, "PYTHONPATH": str(ROOT),
           "CIIFLOW_SECRET_KEY": Fernet.generate_key().decode()}
    done = subprocess.run([sys.executable, "-m", "webhooks.dispatcher", "--database-url",
                           db_url, "--drain"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: refusing to start, 1 stored webhook secret(s) cannot be ")
    assert "CIIFLOW_SECRET_KEY" in line and "Traceback" not in done.stderr
    assert status_of(wengine) == ["pending"]

def test_a_worker_elsewhere_with_the_key_setting_delivers(
        wengine: Engine, db_url: str, tmp_path: Path, secret_key: str) -> None:
    with Receiver() as receiver:
        principal = add_principal(wengine, "sas", "institution", ["g"]).id
        endpoint_id, secret = add_endpoint(wengine, principal, receiver.url)
        message_id = queue_one(wengine, endpoint_id)
        done = worker_once(db_url, tmp_path, CIIFLOW_SECRET_KEY=secret_key)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "timers: 0, notices: 0, webhooks: 1, erased: 0"
    assert receiver.ids() == [message_id]
    assert receiver.received[0].verify(secret)["type"] == "task.ready"
    assert status_of(wengine) == ["delivered"]


def test_the_embedded_key_lives_beside_the_sqlite_file(
        tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without any setting the key is made beside the database, so a worker started from
    any directory finds it: the fix for SQLite, which has no second host."""
    from engine.store.db import make_engine
    from workflows.migrate import metadata

    monkeypatch.delenv("CIIFLOW_SECRET_KEY")
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    db_url = f"sqlite:///{data / 'ciiflow.sqlite3'}"
    db = make_engine(db_url)
    metadata.create_all(db)
    engine = Engine(db, clock=clock)
    webhooks.install(engine)
    try:
        with Receiver() as receiver:
            principal = add_principal(engine, "sas", "institution", ["g"]).id
            endpoint_id, secret = add_endpoint(engine, principal, receiver.url)
            message_id = queue_one(engine, endpoint_id)
            assert (data / "secret.key").exists()
            assert not (tmp_path / "var" / "secret.key").exists()
            elsewhere = tmp_path / "elsewhere"
            elsewhere.mkdir()
            done = worker_once(db_url, elsewhere)
        assert done.returncode == 0, done.stderr
        assert receiver.ids() == [message_id]
        assert receiver.received[0].verify(secret)["type"] == "task.ready"
    finally:
        db.dispose()
        secretbox._database.clear()


def test_a_server_without_the_key_refuses_to_start(
        wengine: Engine, db: SqlEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    principal = add_principal(wengine, "sas", "institution", ["g"]).id
    add_endpoint(wengine, principal, "http://127.0.0.1:9/in")
    monkeypatch.setenv("CIIFLOW_SECRET_KEY", Fernet.generate_key().decode())
    with pytest.raises(secretbox.SecretKeyError, match="CIIFLOW_SECRET_KEY"):
        create_app({}, engine=Engine(db, clock=wengine.clock))
