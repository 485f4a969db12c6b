"""Candidate groups checked against the institution directory and the principals.

A task routed to `oia` instead of `oai` waits for nobody. A group is known when
the directory (`bpmn/directory.yaml`: institutions' groups, one group per
commune) lists it or a principal holds it. A template such as
`cii-team-${region}` is expanded over the directory's values of that name (the
ids of `regions`, `cmsr`, `communes`, …) and each expansion must be known; a
placeholder the directory has no values for must still match some known group
(`cii-team-` followed by anything).

Severity: a warning, at lint and at deploy alike. Principals are created when an
institution joins, often after the process is deployed, and a task whose groups
nobody holds is shown in the stuck list (`GET /stuck`), so deploy does not make
the order of setting up a service matter; the warning names the group so the
owner corrects a typo before the first case.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from lxml import etree

from engine.camunda.namespaces import CAMUNDA, tag
from engine.expressions import juel
from engine.expressions import text as fields
from engine.expressions.errors import ExpressionError
from engine.lint.report import Report
from engine.lint.variables import suggestion

#: expansions listed in a finding, at most
_SHOWN = 3


def directory_groups(directory: Mapping[str, Any]) -> set[str]:
    """Institutions' groups and one group per commune (`commune-<id>` unless it names one)."""
    groups: set[str] = set()
    for institution in directory.get("institutions") or ():
        groups |= {g["id"] for g in institution.get("groups") or () if g.get("id")}
    for commune in directory.get("communes") or ():
        group = commune.get("group") or (f"commune-{commune['id']}" if commune.get("id")
                                         else None)
        if group:
            groups.add(group)
    return groups


def directory_values(directory: Mapping[str, Any]) -> dict[str, list[str]]:
    """Placeholder name -> ids: `regions` gives `region` (and `regions`), `cmsr` `cmsr`."""
    values: dict[str, list[str]] = {}
    for key, items in directory.items():
        if key == "institutions" or not isinstance(items, list):
            continue
        ids = [str(i["id"]) for i in items if isinstance(i, Mapping) and i.get("id")]
        if ids:
            values[key] = ids
            if key.endswith("s"):
                values.setdefault(key[:-1], ids)
    return values


def check_groups(root: etree._Element, report: Report, directory: Mapping[str, Any] | None,
                 principal_groups: Iterable[str] | None) -> None:
    if directory is None and principal_groups is None:
        return
    known = directory_groups(directory or {}) | set(principal_groups or ())
    values = directory_values(directory or {})
    where = "the directory" + (" or the principals" if principal_groups is not None else "")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        text = element.get(tag(CAMUNDA, "candidateGroups"))
        if not text:
            continue
        for item in _items(text):
            unknown = _unknown(item, known, values)
            if unknown:
                shown = ", ".join(repr(u) for u in unknown[:_SHOWN])
                more = f" and {len(unknown) - _SHOWN} more" if len(unknown) > _SHOWN else ""
                hint = suggestion(item, sorted(known)) if "${" not in item else ""
                report.warning(
                    element.get("id"),
                    f"candidate group {item!r} gives {shown}{more}, which {where} does not "
                    "know: the task would wait for nobody; correct the group or add it to "
                    f"bpmn/directory.yaml and give it to a principal{hint}")


def _items(text: str) -> list[str]:
    """The comma-separated groups of the field; a lone `${…}` (a list variable) is skipped."""
    if fields.single_expression(_split(text)) is not None:
        return []
    return [item.strip() for item in _split_outside_braces(text) if item.strip()]


def _split(text: str) -> tuple[fields.Part, ...]:
    try:
        return fields.split(text)
    except ExpressionError:
        return ()


def _split_outside_braces(text: str) -> list[str]:
    items, depth, current = [], 0, ""
    for char in text:
        depth += char == "{"
        depth -= char == "}"
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    return [*items, current]


def _unknown(item: str, known: set[str], values: dict[str, list[str]]) -> list[str]:
    """The expansions of one group template nobody knows ([item] when it matches none)."""
    parts = _split(item)
    if not parts:
        return []
    if not any(p.is_expression for p in parts):
        return [] if item in known else [item]
    choices: list[list[str]] = []
    for part in parts:
        if not part.is_expression:
            choices.append([part.source])
            continue
        name = _lone_variable(part.source)
        if name is None or name not in values:
            return [] if _matches_some(parts, known) else [item]
        choices.append(values[name])
    expanded = ["".join(combination) for combination in itertools.product(*choices)]
    return [group for group in expanded if group not in known]


def _lone_variable(source: str) -> str | None:
    try:
        tree = juel.parse(source)
    except ExpressionError:
        return None
    return str(tree.children[0]) if tree.data == "var" else None


def _matches_some(parts: tuple[fields.Part, ...], known: set[str]) -> bool:
    pattern = re.compile("".join(".+" if p.is_expression else re.escape(p.source)
                                 for p in parts))
    return any(pattern.fullmatch(group) for group in known)
