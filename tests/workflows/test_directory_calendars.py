"""The service reads the institutions' working-day calendars from the directory it is given."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.calendar import CANTON, CalendarError
from workflows.cii.calendars import DEFAULT_DIRECTORY, directory_calendars


def test_the_shipped_directory_loads_and_every_group_counts_in_the_canton_calendar() -> None:
    assert DEFAULT_DIRECTORY.is_file()
    calendars = directory_calendars({})
    assert calendars.for_groups(["sas", "commune-sion", "oai"]) is CANTON


def test_an_institution_calendar_from_the_configured_directory(tmp_path: Path) -> None:
    directory = tmp_path / "directory.yaml"
    directory.write_text(
        "institutions:\n"
        "  - id: oai\n"
        "    groups: [{id: oai}]\n"
        "    calendar: {categories: [public, optional], closed: ['12-31']}\n",
        encoding="utf-8")
    calendars = directory_calendars({"CIIFLOW_DIRECTORY": str(directory)})
    oai = calendars.for_groups(["oai"])
    assert oai.add(date(2026, 4, 3), 1) == date(2026, 4, 7)  # Easter Monday closed at the OAI
    assert oai.add(date(2026, 12, 30), 1) == date(2027, 1, 4)
    assert calendars.for_groups(["sas"]) is CANTON
    assert directory_calendars({"CIIFLOW_DIRECTORY": str(tmp_path / "none.yaml")}
                               ).for_groups(["oai"]) is CANTON


def test_a_bad_calendar_stops_the_start_naming_the_institution(tmp_path: Path) -> None:
    directory = tmp_path / "directory.yaml"
    directory.write_text("institutions:\n  - id: oai\n    groups: [{id: oai}]\n"
                         "    calendar: {subdivision: ZZ}\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="institution 'oai'"):
        directory_calendars({"CIIFLOW_DIRECTORY": str(directory)})
