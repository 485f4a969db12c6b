"""Retention: each executable process says how long its closed cases are kept.

Why a warning when it is missing: `camunda:historyTimeToLive` is what the
engine's retention sweep (`engine.runtime.retention`) erases by; a process
without one keeps its cases' personal data forever, which nFADP/LPD does not
allow by default, yet some processes legitimately keep their records for a
period set elsewhere, so it is the owner's call, made visible. A value the
sweep cannot read is refused: the owner believes retention is set when it is
not.
"""

from __future__ import annotations

from lxml import etree

from engine.camunda.namespaces import BPMN, tag
from engine.camunda.ttl import TTL_ATTRIBUTE, parse_ttl
from engine.lint.report import Report


def check_retention(root: etree._Element, report: Report) -> None:
    for process in root.iter(tag(BPMN, "process")):
        if (process.get("isExecutable") or "true").strip().lower() != "true":
            continue
        text = process.get(TTL_ATTRIBUTE)
        if text is None:
            report.warning(
                process.get("id"),
                "no History time to live (camunda:historyTimeToLive): the closed cases of "
                "this process are kept forever, personal data included; set the days to keep "
                "them in the Modeler's process properties (e.g. 3650 or P3650D)")
            continue
        try:
            parse_ttl(text)
        except ValueError:
            report.error(
                process.get("id"),
                f"History time to live {text.strip()!r} is not a number of days: write "
                "days (e.g. 180) or P<n>D (e.g. P180D)")
