"""Corpus benchmark: how much of a folder of real Camunda 7 files deploys, and how the rest fails.

ciiflow is judged on public Modeler files it has never seen: the share that deploys
and runs, and for the rest whether the refusal names the construct. A crash (any
exception other than ``DefinitionRefused``/``EngineError``) is the worst outcome: through
the API it is a 500. This script measures all three on a local folder (default
``var/corpus``, git-ignored: public files are never committed).

Units: each BPMN file is deployed together with the DMN files of its folder and the
BPMN files of its folder whose processes it calls; a DMN file in a folder without BPMN
files is deployed alone. Each unit gets a fresh SQLite database.

``--as-drawn``: engine test resources carry no diagram at all, so the lint refuses them
for the missing shapes before any deeper layer sees them. With this flag a file that
has no ``BPMNDiagram`` element is measured as if it were drawn, which exposes the parser
and the runtime to it (the diagram check itself is covered by the lint's tests).

Deployed units are then run as drawn by ``bench/corpus_run.py``: every process the unit
deploys is started and driven to an end, one line per unit saying where each stopped.

Last line: ``corpus_files=<units> deployed=<n> ran_to_end=<n> refused_named=<n> crashed=<n>``
(``ran_to_end`` counts units whose every process ran to an end; it is part of ``deployed``).
"""

from __future__ import annotations

import argparse
import collections
import logging
import re
import signal
import sys
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import engine  # noqa: E402
import engine.lint.bpmn as lint_bpmn  # noqa: E402
from bench import corpus_run  # noqa: E402
from engine.lint import lint  # noqa: E402
from engine.runtime import definitions  # noqa: E402
from engine.store.db import make_engine  # noqa: E402
from workflows.migrate import metadata  # noqa: E402

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml", ".bpmn2")
DMN_SUFFIXES = (".dmn", ".dmn11.xml", ".dmn13.xml")
UNIT_SECONDS = 20
_NAMES = re.compile(
    r"bpmn:|camunda:|dmn:|\b[a-z]+[A-Z]\w*\b|'[^']+'|\"[^\"]+\"|#\w|\b(?:process|decision|"
    r"task|gateway|event|subprocess|timer|message|signal|expression|form|hit policy)\b")


@dataclass
class Outcome:
    unit: str
    status: str  # deployed | refused_named | refused_unnamed | crashed | unreadable
    detail: str = ""
    constructs: list[str] = field(default_factory=list)
    latent: str = ""  # a crash of the parser hidden behind a lint refusal
    ran_to_end: bool = False  # every process the unit deploys was driven to an end


def _is(path: Path, suffixes: tuple[str, ...]) -> bool:
    return path.name.lower().endswith(suffixes)


def units(folder: Path) -> Iterator[tuple[str, dict[str, bytes], str | None]]:
    """Yield (unit name, bundle files, main file) for every BPMN file and lone DMN file."""
    by_dir: dict[Path, list[Path]] = collections.defaultdict(list)
    for path in sorted(folder.rglob("*")):
        if path.is_file() and (_is(path, BPMN_SUFFIXES) or _is(path, DMN_SUFFIXES)):
            by_dir[path.parent].append(path)
    for _directory, paths in sorted(by_dir.items()):
        bpmns = [p for p in paths if _is(p, BPMN_SUFFIXES)]
        dmns = [p for p in paths if _is(p, DMN_SUFFIXES)]
        if not bpmns:
            for dmn in dmns:
                yield str(dmn.relative_to(folder)), {_name(dmn): dmn.read_bytes()}, None
            continue
        process_of = {p: _process_ids(p) for p in bpmns}
        for bpmn in bpmns:
            files = {_name(bpmn): bpmn.read_bytes()}
            files.update({_name(d): d.read_bytes() for d in dmns})
            for called in _called(bpmn):
                for other in bpmns:
                    if other != bpmn and called in process_of[other]:
                        files[_name(other)] = other.read_bytes()
            yield str(bpmn.relative_to(folder)), files, _name(bpmn)


def _name(path: Path) -> str:
    name = path.name
    for suffix in (".bpmn20.xml", ".dmn11.xml", ".dmn13.xml"):
        if name.endswith(suffix):
            return name[: -len(suffix)] + (".bpmn" if "bpmn" in suffix else ".dmn")
    return name


def _tree(path: Path) -> etree._Element | None:
    try:
        return etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()
    except etree.XMLSyntaxError:
        return None


def _process_ids(path: Path) -> set[str]:
    root = _tree(path)
    return set() if root is None else {p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")}


def _called(path: Path) -> set[str]:
    root = _tree(path)
    if root is None:
        return set()
    return {c.get("calledElement") or "" for c in root.iter(f"{{{BPMN_NS}}}callActivity")}


def _as_drawn() -> None:
    """Measure undrawn files as if drawn (see the module docstring)."""
    original = lint_bpmn.check_diagram

    def check_diagram(root: etree._Element, report: Any) -> None:
        if next(root.iter(f"{{{DI_NS}}}BPMNDiagram"), None) is not None:
            original(root, report)

    lint_bpmn.check_diagram = check_diagram


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:  # noqa: ARG001
    raise _Timeout(f"unit ran longer than {UNIT_SECONDS}s")


def _named(finding: engine.Finding) -> bool:
    return bool(finding.message) and bool(finding.element_id or _NAMES.search(finding.message))


def _construct(message: str) -> str:
    """A short label for the refused construct, for the top-constructs table.

    Only the part before the suggested fix ("...; use camunda:type='external'", "set ...") is
    read, so a refusal is not counted under the construct it recommends.
    """
    message = re.split(r"[;:,]?\s+(?:or\s+)?(?:use|set)\s", message, maxsplit=1)[0]
    hit = re.search(r"(bpmn:\w+|camunda:\w+|[a-z]+ task \(\w+\)|no diagram shape|"
                    r"script task|not executable|no process is executable)", message)
    return hit.group(1) if hit else message.split(":")[0][:60]


def _last_line(exc: BaseException) -> str:
    lines = traceback.format_exception(exc)
    frames = [ln for ln in lines if ln.strip().startswith("File ")]
    where = frames[-1].strip().split("\n")[0] if frames else ""
    return f"{type(exc).__name__}: {str(exc)[:160]} [{where[-110:]}]"


def measure(name: str, files: dict[str, bytes], main: str | None, probe: bool) -> Outcome:
    """Lint, deploy on a fresh database, start the unit's processes; classify the result."""
    with tempfile.TemporaryDirectory() as tmp:
        db = make_engine(f"sqlite:///{tmp}/corpus.sqlite3")
        metadata.create_all(db)
        clock = engine.ManualClock()
        eng = engine.Engine(db, clock=clock)
        try:
            return _run(eng, clock, name, files, main, probe)
        finally:
            db.dispose()


def _run(eng: engine.Engine, clock: engine.ManualClock, name: str, files: dict[str, bytes],
         main: str | None, probe: bool) -> Outcome:
    try:
        lint(files)
        result = eng.deploy(files)
    except engine.DefinitionRefused as exc:
        errors = [f for f in exc.findings if f.severity == "error"]
        named = bool(errors) and all(_named(f) for f in errors)
        outcome = Outcome(name, "refused_named" if named else "refused_unnamed",
                          errors[0].message[:160] if errors else str(exc)[:160],
                          sorted({_construct(f.message) for f in errors}))
        if probe:
            outcome.latent = _probe(files)
        return outcome
    except engine.EngineError as exc:
        return Outcome(name, "refused_named" if _NAMES.search(str(exc)) else "refused_unnamed",
                       str(exc)[:160], [type(exc).__name__])
    except Exception as exc:  # noqa: BLE001 - the crash is what we measure
        return Outcome(name, "crashed", "deploy: " + _last_line(exc))
    mains = {d.key for d in result.definitions}
    if main is not None:
        own = _process_ids_of(files[main])
        mains = {k for k in mains if k in own} or mains
    try:
        runs = corpus_run.drive_unit(eng, clock, files, sorted(mains))
    except _Timeout:
        return Outcome(name, "deployed", f"stopped: unit wall-clock bound ({UNIT_SECONDS}s)")
    except Exception as exc:  # noqa: BLE001 - the crash is what we measure
        return Outcome(name, "crashed", "run: " + _last_line(exc))
    detail = "; ".join(r.line() for r in runs) or "decisions only: no process to run"
    outcome = Outcome(name, "deployed", detail[:300])
    outcome.ran_to_end = bool(runs) and all(r.ended for r in runs)
    return outcome


def _process_ids_of(data: bytes) -> set[str]:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False))
    return {p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")}


def _probe(files: dict[str, bytes]) -> str:
    """Run the parser alone on a lint-refused unit: would it have crashed behind the lint?"""
    try:
        parser, _ = definitions.build_specs(files)
        for key in list(parser.process_parsers):
            parser.get_spec(key)
            parser.get_subprocess_specs(key)
    except engine.EngineError:
        return ""
    except Exception as exc:  # noqa: BLE001 - the crash is what we measure
        if type(exc).__name__ == "ValidationException":
            return ""
        return _last_line(exc)
    return ""


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("folder", nargs="?", default=str(ROOT / "var" / "corpus"))
    args.add_argument("--as-drawn", action="store_true",
                      help="measure files without any BPMNDiagram as if they were drawn")
    args.add_argument("--probe", action="store_true",
                      help="also run the parser on lint-refused units to find hidden crashes")
    args.add_argument("-v", "--verbose", action="store_true", help="one line per unit")
    opts = args.parse_args(argv)
    logging.disable(logging.CRITICAL)
    if opts.as_drawn:
        _as_drawn()
    signal.signal(signal.SIGALRM, _alarm)
    outcomes = []
    for name, files, main_file in units(Path(opts.folder)):
        signal.alarm(UNIT_SECONDS)
        try:
            outcome = measure(name, files, main_file, opts.probe)
        except _Timeout as exc:
            outcome = Outcome(name, "crashed", f"timeout: {exc}")
        finally:
            signal.alarm(0)
        outcomes.append(outcome)
        if (opts.verbose or outcome.status in ("deployed", "crashed", "refused_unnamed")
                or outcome.latent):
            extra = f" LATENT: {outcome.latent}" if outcome.latent else ""
            status = "ran_to_end" if outcome.ran_to_end else outcome.status
            print(f"{status:16} {name}: {outcome.detail}{extra}")
    _summary(outcomes)
    return 0


def _summary(outcomes: list[Outcome]) -> None:
    counts = collections.Counter(o.status for o in outcomes)
    print()
    print(f"{'outcome':18}{'units':>6}")
    ran = sum(1 for o in outcomes if o.ran_to_end)
    for status in ("deployed", "refused_named", "refused_unnamed", "crashed"):
        print(f"{status:18}{counts.get(status, 0):>6}")
        if status == "deployed":
            print(f"{'  ran_to_end':18}{ran:>6}")
    constructs = collections.Counter(c for o in outcomes for c in o.constructs)
    if constructs:
        print("\nrefused constructs (units naming each):")
        for construct, n in constructs.most_common(15):
            print(f"  {n:>4}  {construct}")
    latent = sum(1 for o in outcomes if o.latent)
    print(f"\nlatent parser crashes behind a lint refusal: {latent}")
    print(f"corpus_files={len(outcomes)} deployed={counts.get('deployed', 0)} ran_to_end={ran} "
          f"refused_named={counts.get('refused_named', 0)} crashed={counts.get('crashed', 0)}")


if __name__ == "__main__":
    sys.exit(main())
