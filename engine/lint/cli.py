"""``ciiflow lint FILE...``: the same check as deploy, for a process owner's terminal or CI."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from engine.lint import Bindings, lint

SUFFIXES = (".bpmn", ".dmn")


def collect(paths: list[str]) -> dict[str, bytes]:
    """Read files and folders (a folder means every *.bpmn/*.dmn directly in it).

    Files are named by their base name, as a deployed bundle names them, so a
    finding reads the same in the terminal and at deploy.
    """
    files: dict[str, bytes] = {}
    for raw in paths:
        path = Path(raw)
        members = (
            sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
            if path.is_dir()
            else [path]
        )
        for member in members:
            name = member.name if member.name not in files else str(member)
            files[name] = member.read_bytes()
    return files


def lint_cli(paths: list[str], out: TextIO | None = None,
             handlers: Bindings | None = None) -> int:
    """Print findings one per line; return 1 if any is an error (or a path is unreadable).

    `handlers`: the registry service tasks are bound in, as at deploy.
    """
    stream = out or sys.stdout
    try:
        files = collect(paths)
    except OSError as exc:
        print(f"error: {exc.filename or '?'}: cannot read: {exc.strerror}", file=stream)
        return 1
    if not files:
        print("error: no .bpmn or .dmn file given", file=stream)
        return 1
    findings = lint(files, handlers)
    for finding in findings:
        print(str(finding), file=stream)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    print(f"{len(files)} file(s): {errors} error(s), {warnings} warning(s)", file=stream)
    return 1 if errors else 0
