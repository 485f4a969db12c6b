"""Draw the ciiflow process files: ``cii_case``, ``pai``, ``orp_bip`` and the DMN tables.

Run ``.venv/bin/python bpmn/tools/draw.py`` (or ``python -m bpmn.tools``) from
the repository root; it rewrites the ``.bpmn`` and ``.dmn`` files in ``bpmn/``,
or in ``--out DIR``. Why the content lives in Python rather than in
hand-edited XML: the diagrams must carry complete, consistent diagram
interchange (shapes inside lanes, orthogonal edges, labels; see ``builder.py``
for the grid) and the three processes share the same vocabularies (regions,
CMSR, services, outcomes). Once generated, the files are ordinary Camunda
Modeler files; a process owner who edits one in the Modeler may keep editing it
there and stop using this script. ``tests/bpmn/test_regenerate.py`` keeps the
committed files and this generator in step.

Engine constraints honoured here (see docs/processes.md): no script tasks, JUEL
``${...}`` conditions on plain case variables, ISO-8601 durations for due dates
and timers, external service tasks only (topics ``pai-quota``,
``pai-quota-release`` and ``notify-partners``), and ``ciiflow.expose`` listing
the case variables (never personal data) each institution may see on its task.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):  # run as a script: import the package, not its folder
    sys.path[0] = str(ROOT)

from bpmn.tools.bpmn_xml import process_xml  # noqa: E402
from bpmn.tools.cii_case import cii_case  # noqa: E402
from bpmn.tools.decisions import all_decisions  # noqa: E402
from bpmn.tools.dmn import decision_xml  # noqa: E402
from bpmn.tools.orp_bip import orp_bip  # noqa: E402
from bpmn.tools.pai import pai  # noqa: E402

OUT = ROOT / "bpmn"


def write_all(out: Path = OUT) -> list[Path]:
    """Write every process and decision file into ``out``; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for proc in (cii_case(), pai(), orp_bip()):
        path = out / f"{proc.pid}.bpmn"
        path.write_text(process_xml(proc), encoding="utf-8")
        written.append(path)
    for dec in all_decisions():
        path = out / f"{dec.id}.dmn"
        path.write_text(decision_xml(dec), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    """Print what was written so the commit diff is expected."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="directory (default: bpmn/)")
    args = parser.parse_args(argv)
    for path in write_all(args.out):
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print("wrote", shown)


if __name__ == "__main__":
    main()
