"""The committed process files are exactly what their generators write.

Why byte-for-byte: ``bpmn/*.bpmn`` and ``*.dmn`` and the Modeler corpus in
``tests/modeler/files/`` are committed as plain files (process owners and the
tests read those bytes), and they are also generated. If someone edits a
generator without regenerating, or hand-edits a file the generator would
overwrite, the next regeneration silently reverts one of the two; this test
makes the drift visible in the change that causes it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bpmn.tools.draw import write_all
from tests.modeler.corpus import FILES, write_corpus

ROOT = Path(__file__).resolve().parents[2]
BPMN_DIR = ROOT / "bpmn"


def _committed(directory: Path, *patterns: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for pattern in patterns for p in directory.glob(pattern)}


def _written(paths: list[Path]) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in paths}


def _assert_same(written: dict[str, bytes], committed: dict[str, bytes], how: str) -> None:
    assert sorted(written) == sorted(committed), "files generated vs committed differ"
    changed = [name for name in written if written[name] != committed[name]]
    assert not changed, f"{changed} differ from the committed files; run {how}"


def test_process_files_regenerate_identically(tmp_path: Path) -> None:
    written = _written(write_all(tmp_path))
    committed = _committed(BPMN_DIR, "*.bpmn", "*.dmn")
    _assert_same(written, committed, "python bpmn/tools/draw.py")


def test_modeler_corpus_regenerates_identically(tmp_path: Path) -> None:
    written = _written(write_corpus(tmp_path))
    committed = _committed(FILES, "*.bpmn")
    _assert_same(written, committed, "python -m tests.modeler.corpus")


@pytest.mark.parametrize("directory", [BPMN_DIR, FILES])
def test_generators_write_into_the_directory_asked(tmp_path: Path, directory: Path) -> None:
    """Regenerating into a temp dir must leave the committed files untouched."""
    before = _committed(directory, "*.bpmn", "*.dmn")
    write_all(tmp_path / "product")
    write_corpus(tmp_path / "corpus")
    assert _committed(directory, "*.bpmn", "*.dmn") == before
