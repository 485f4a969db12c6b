"""API tokens: listed without secrets, revoked or expired at once, rotated, last use recorded.

The API (`/api/v1/tokens`, admins) and the CLI (`ciiflow token`) call the same
engine operations; expiry is judged by the engine's clock, so the injected
clock passes the 90 days.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from engine import Engine, ManualClock
from engine.store.principals import ApiToken, hash_token
from tests.support.principals import bearer
from workflows.cli import main

from .conftest import Tokens

LIST_FIELDS = {"id", "principal", "role", "status", "created_at", "expires_at", "revoked_at",
               "last_used_at"}


def _whoami(client: FlaskClient, token: str) -> int:
    """The status of a request any valid token may make (its own role's list)."""
    return client.get("/api/v1/tokens", headers=bearer(token)).status_code


def _create(client: FlaskClient, admin: str, **body: object) -> dict:
    answer = client.post("/api/v1/tokens", headers=bearer(admin), json=body)
    assert answer.status_code == 201, answer.json
    return answer.json


def test_list_shows_every_token_and_no_secret(client: FlaskClient, tokens: Tokens,
                                              engine: Engine) -> None:
    issued = _create(client, tokens["admin"], principal="cms", role="institution",
                     groups=["cms"])
    assert issued["token"].startswith("cii_") and issued["principal"] == "cms"
    listed = client.get("/api/v1/tokens", headers=bearer(tokens["admin"]))
    assert listed.status_code == 200
    items = listed.json["items"]
    assert {i["principal"] for i in items} >= {"admin", "sas", "cms"}
    assert all(set(i) == LIST_FIELDS and i["status"] == "active" for i in items)
    secrets = [issued["token"], hash_token(issued["token"]), *tokens.values(),
               *(hash_token(t) for t in tokens.values())]
    assert not any(s in listed.get_data(as_text=True) for s in secrets)
    only = client.get("/api/v1/tokens?principal=cms", headers=bearer(tokens["admin"])).json
    assert [i["id"] for i in only["items"]] == [issued["id"]]
    with engine.sessions() as s:  # stored hashed, never clear
        stored = s.scalars(select(ApiToken.token_hash).where(ApiToken.id == issued["id"])).one()
    assert stored == hash_token(issued["token"])
    assert client.get("/api/v1/tokens", headers=bearer(tokens["coordinator"])).status_code == 403
    assert client.get("/api/v1/tokens", headers=bearer(tokens["sas"])).status_code == 403


def test_a_revoked_token_is_401_at_once(client: FlaskClient, tokens: Tokens) -> None:
    issued = _create(client, tokens["admin"], principal="ops", role="admin")
    assert _whoami(client, issued["token"]) == 200
    revoked = client.post(f"/api/v1/tokens/{issued['id']}/revoke",
                          headers=bearer(tokens["admin"]))
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"
    refused = client.get("/api/v1/tokens", headers=bearer(issued["token"]))
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"
    again = client.post(f"/api/v1/tokens/{issued['id']}/revoke", headers=bearer(tokens["admin"]))
    assert again.status_code == 200 and again.json["revoked_at"] == revoked.json["revoked_at"]
    assert client.post("/api/v1/tokens/999999/revoke",
                       headers=bearer(tokens["admin"])).status_code == 404


def test_an_expired_token_is_401_by_the_engine_clock(client: FlaskClient, tokens: Tokens,
                                                     clock: ManualClock) -> None:
    issued = _create(client, tokens["admin"], principal="ops", role="admin",
                     expires_in="P90D")
    assert issued["expires_at"] == (clock.now() + timedelta(days=90)).isoformat()
    clock.advance(days=89, hours=23)
    assert _whoami(client, issued["token"]) == 200
    clock.advance(hours=1)
    assert _whoami(client, issued["token"]) == 401
    listed = client.get("/api/v1/tokens?status=expired", headers=bearer(tokens["admin"])).json
    assert [i["id"] for i in listed["items"]] == [issued["id"]]
    past = client.post("/api/v1/tokens", headers=bearer(tokens["admin"]),
                       json={"principal": "late", "role": "admin",
                             "expires_at": "2020-01-01T00:00:00Z"})
    assert past.status_code == 422 and "expires_at" in past.get_data(as_text=True)


def test_rotate_answers_a_new_token_once_and_revokes_the_old(client: FlaskClient,
                                                             tokens: Tokens,
                                                             clock: ManualClock) -> None:
    old = _create(client, tokens["admin"], principal="cms", role="institution",
                  groups=["cms"], expires_in="P30D")
    clock.advance(days=10)
    rotated = client.post(f"/api/v1/tokens/{old['id']}/rotate", headers=bearer(tokens["admin"]))
    assert rotated.status_code == 201
    new = rotated.json
    assert new["token"] != old["token"] and new["principal"] == "cms" and new["id"] != old["id"]
    assert new["expires_at"] == (clock.now() + timedelta(days=30)).isoformat()  # same lifetime
    assert _whoami(client, old["token"]) == 401
    assert client.get("/api/v1/webhooks/endpoints",
                      headers=bearer(new["token"])).status_code == 200  # the same institution
    statuses = {i["id"]: i["status"] for i in client.get(
        "/api/v1/tokens?principal=cms", headers=bearer(tokens["admin"])).json["items"]}
    assert statuses == {old["id"]: "revoked", new["id"]: "active"}
    twice = client.post(f"/api/v1/tokens/{old['id']}/rotate", headers=bearer(tokens["admin"]))
    assert twice.status_code == 409
    longer = client.post(f"/api/v1/tokens/{new['id']}/rotate?expires_in=P365D",
                         headers=bearer(tokens["admin"]))
    assert longer.json["expires_at"] == (clock.now() + timedelta(days=365)).isoformat()


def test_one_more_token_for_an_existing_principal(client: FlaskClient, tokens: Tokens) -> None:
    extra = _create(client, tokens["admin"], principal="sas")
    assert extra["role"] == "institution" and _whoami(client, extra["token"]) == 403
    assert _whoami(client, tokens["sas"]) == 403  # the first token still works (403, not 401)
    unknown = client.post("/api/v1/tokens", headers=bearer(tokens["admin"]),
                          json={"principal": "nobody"})
    assert unknown.status_code == 404
    no_role = client.post("/api/v1/tokens", headers=bearer(tokens["admin"]),
                          json={"principal": "sas", "groups": ["x"]})
    assert no_role.status_code == 422 and "groups" in no_role.get_data(as_text=True)
    taken = client.post("/api/v1/tokens", headers=bearer(tokens["admin"]),
                        json={"principal": "sas", "role": "admin"})
    assert taken.status_code == 409


def test_last_used_at_is_written_at_most_once_a_minute(client: FlaskClient, tokens: Tokens,
                                                       engine: Engine,
                                                       clock: ManualClock) -> None:
    issued = _create(client, tokens["admin"], principal="ops", role="admin")

    def last_used() -> datetime | None:
        with engine.sessions() as s:
            return s.get(ApiToken, issued["id"]).last_used_at

    assert last_used() is None
    first = clock.now()
    assert _whoami(client, issued["token"]) == 200
    assert last_used() == first
    clock.advance(seconds=30)
    assert _whoami(client, issued["token"]) == 200
    assert last_used() == first  # within the minute: no write
    clock.advance(seconds=31)
    assert _whoami(client, issued["token"]) == 200
    assert last_used() == clock.now()
    shown = client.get("/api/v1/tokens?principal=ops", headers=bearer(tokens["admin"])).json
    assert shown["items"][0]["last_used_at"] == clock.now().isoformat()


@pytest.fixture
def cli(db, db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:  # noqa: ANN001
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    return CliRunner()


def test_cli_create_list_revoke_rotate(cli: CliRunner, engine: Engine) -> None:
    assert cli.invoke(main, ["token", "list"]).output == "no tokens\n"
    created = cli.invoke(main, ["token", "create", "--name", "cms", "--role", "institution",
                                "--group", "cms", "--expires-in", "90d"])
    assert created.exit_code == 0, created.output
    token = created.output.strip()
    assert token.startswith("cii_")
    [view] = engine.list_tokens(principal="cms")
    now = datetime.now(UTC)
    assert view.expires_at is not None
    assert abs(view.expires_at - (now + timedelta(days=90))) < timedelta(minutes=5)

    listed = cli.invoke(main, ["token", "list"])
    assert listed.exit_code == 0
    header, line = listed.output.splitlines()
    assert header.split() == ["ID", "PRINCIPAL", "ROLE", "STATUS", "CREATED", "EXPIRES",
                              "LAST", "USED"]
    assert line.split()[:4] == [str(view.id), "cms", "institution", "active"]
    assert token not in listed.output and hash_token(token) not in listed.output

    rotated = cli.invoke(main, ["token", "rotate", str(view.id)])
    assert rotated.exit_code == 0, rotated.output
    new_token = rotated.output.strip()
    assert new_token.startswith("cii_") and new_token != token
    assert engine.authenticate(token) is None
    caller = engine.authenticate(new_token)
    assert caller is not None and (caller.name, caller.groups) == ("cms", ("cms",))

    [new] = engine.list_tokens(principal="cms", status="active")
    revoked = cli.invoke(main, ["token", "revoke", str(new.id)])
    assert revoked.exit_code == 0 and revoked.output == f"token {new.id} of cms revoked\n"
    assert engine.authenticate(new_token) is None
    assert cli.invoke(main, ["token", "list", "--status", "active"]).output == "no tokens\n"

    extra = cli.invoke(main, ["token", "create", "--name", "cms"])  # no role: one more token
    assert extra.exit_code == 0 and engine.authenticate(extra.output.strip()) is not None
    missing = cli.invoke(main, ["token", "revoke", "4242"])
    assert missing.exit_code == 1 and "no token 4242" in missing.output
    bad = cli.invoke(main, ["token", "create", "--name", "x", "--role", "admin",
                            "--expires-in", "soon"])
    assert bad.exit_code == 2 and "--expires-in" in bad.output
