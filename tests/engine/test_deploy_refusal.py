"""Every hostile file is refused at deploy as at lint, nothing is stored, nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import DefinitionRefused, Engine
from engine.store.models import Definition, Instance

HOSTILE = Path(__file__).parent / "hostile"
FILES = sorted(p.name for p in HOSTILE.iterdir() if not p.name.startswith("clean_"))


@pytest.mark.parametrize("name", FILES)
def test_hostile_file_is_refused_at_deploy_and_nothing_is_stored(engine: Engine, name: str,
                                                                 tmp_path: Path,
                                                                 monkeypatch) -> None:  # noqa: ANN001
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)  # a payload writing MARKER would land here
    bundle = {name: (HOSTILE / name).read_bytes(),
              "clean_triage.dmn": (HOSTILE / "clean_triage.dmn").read_bytes()}
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(bundle)
    errors = [f for f in refused.value.findings if f.severity == "error"]
    assert errors and all(f.file for f in errors)
    assert any(f.file == name for f in errors)
    assert all("\n" not in f.message for f in errors)
    with engine.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Definition)) == 0
        assert s.scalar(select(func.count()).select_from(Instance)) == 0
    assert not list(workdir.iterdir())  # no marker file, nothing written


def test_element_ids_are_named_for_expressions(engine: Engine) -> None:
    bundle = {"c.bpmn": (HOSTILE / "condition_hostile.bpmn").read_bytes()}
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(bundle)
    assert any(f.element_id for f in refused.value.findings if f.severity == "error")


def test_the_clean_bundle_deploys(engine: Engine) -> None:
    bundle = {n: (HOSTILE / n).read_bytes() for n in ("clean_case.bpmn", "clean_triage.dmn")}
    result = engine.deploy(bundle)
    assert result.definitions and all(d.created for d in result.definitions)
