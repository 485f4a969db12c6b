"""`ciiflow deploy --dry-run`: what would get a new version, and nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import func, select

from tests.engine import migration_processes as versions
from tests.engine.test_decision_versions import dmn, process
from workflows.cli import main
from workflows.migrate import metadata


def rows(db: SqlEngine) -> dict[str, int]:
    with db.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}


@pytest.fixture
def cli(db: SqlEngine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    return CliRunner()


def test_a_dry_run_prints_the_plan_and_stores_nothing(cli: CliRunner, db: SqlEngine,
                                                      tmp_path: Path) -> None:
    (tmp_path / "intake.bpmn").write_bytes(versions.v1())
    (tmp_path / "routed.bpmn").write_bytes(process())
    (tmp_path / "route.dmn").write_bytes(dmn("sas"))
    assert cli.invoke(main, ["deploy", str(tmp_path)]).exit_code == 0
    (tmp_path / "intake.bpmn").write_bytes(versions.v2())
    (tmp_path / "route.dmn").write_bytes(dmn("oai"))
    before = rows(db)
    planned = cli.invoke(main, ["deploy", "--dry-run", str(tmp_path)])
    assert planned.exit_code == 0, planned.output
    assert [line for line in planned.stdout.splitlines()
            if not line.startswith("warning:")] == [
        "intake version 2 would be deployed",
        "routed version 1 unchanged",  # bound `latest`: the new table needs no new version
        "decision route version 2 would be deployed",
        "dry run: nothing stored",
    ]
    assert rows(db) == before
    (tmp_path / "intake.bpmn").write_bytes(versions.v2().replace(b'"oai"', b'"${oai =="'))
    refused = cli.invoke(main, ["deploy", "--dry-run", str(tmp_path)])
    assert refused.exit_code == 1 and "refused" in refused.output
    assert rows(db) == before
