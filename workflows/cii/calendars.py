"""The working-day calendars of the CII directory, given to the engine when the service starts.

The canton's calendar (Valais holidays) is the engine's default; an institution
of `bpmn/directory.yaml` that declares a `calendar` (closed days, the optional
holidays, another canton) has it applied to the deadlines of its groups' tasks.
`CIIFLOW_DIRECTORY` names another directory file; without a file, every deadline
counts in the canton's calendar.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from engine.calendar import Calendars, calendars_from_directory

DIRECTORY_VARIABLE = "CIIFLOW_DIRECTORY"
DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "bpmn" / "directory.yaml"


def directory_data(environ: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The configured directory as loaded (None without a file): the lint checks candidate
    groups against it."""
    environ = os.environ if environ is None else environ
    path = Path(environ.get(DIRECTORY_VARIABLE) or DEFAULT_DIRECTORY)
    if not path.is_file():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def directory_calendars(environ: Mapping[str, str] | None = None) -> Calendars:
    """The calendars of the configured directory (a bad calendar stops the start, naming it)."""
    directory = directory_data(environ)
    if directory is None:
        return Calendars()
    return calendars_from_directory(directory)
