"""`camunda:historyTimeToLive`: how many days a process's closed cases are kept.

Camunda 7 takes an integer number of days or `P<n>D`; so do we. The lint
refuses anything else (`engine.lint.retention`), the deploy records the days
on the definition and the retention sweep erases by them
(`engine.runtime.retention`).
"""

from __future__ import annotations

import re

from lxml import etree

from .namespaces import BPMN, CAMUNDA
from .xml import safe_parser

TTL_ATTRIBUTE = f"{{{CAMUNDA}}}historyTimeToLive"
_DAYS = re.compile(r"^P(\d+)D$")


def parse_ttl(text: str) -> int:
    """Days from `180` or `P180D`; ValueError otherwise."""
    value = text.strip()
    match = _DAYS.match(value)
    if match:
        value = match.group(1)
    if not value.isdigit():
        raise ValueError(f"historyTimeToLive {text!r} is neither a number of days nor P<n>D")
    return int(value)


def history_ttl(bpmn: bytes, process_key: str) -> int | None:
    """The TTL in days that process `process_key` of this BPMN file declares, if any."""
    root = etree.fromstring(bpmn, parser=safe_parser())
    for process in root.iter(f"{{{BPMN}}}process"):
        if process.get("id") == process_key:
            text = process.get(TTL_ATTRIBUTE)
            try:
                return parse_ttl(text) if text is not None else None
            except ValueError:
                return None  # the lint refuses it at deploy; a stored one is kept
    return None
