"""The checks that need the whole bundle and what the engine knows beside the files.

A variable is written in one file and read in another (a call activity, a
decision); a candidate group is known from the institution directory and the
principals; a topic is served by a registered handler or a worker's token. The
per-file checks cannot see that, so these run once per BPMN file with the
bundle and a `Known` (what the caller could tell: `ciiflow lint` knows the
directory and the handlers, deploy also the principals of its database).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.lint.bundle import Bundle
from engine.lint.forms import check_forms
from engine.lint.groups import check_groups
from engine.lint.literals import check_literals
from engine.lint.report import Report
from engine.lint.topics import check_topics
from engine.lint.variables import check_variables


@dataclass(frozen=True)
class Known:
    """What the lint may check names against; None: not known here, that check is skipped."""

    #: the institution directory (`bpmn/directory.yaml` as loaded), for candidate groups
    directory: Mapping[str, Any] | None = None
    #: groups held by principals (deploy reads them from its database)
    principal_groups: frozenset[str] | None = None
    #: topics granted to worker tokens (deploy reads them from its database)
    worker_topics: frozenset[str] | None = None
    #: the engine's handler registry (its `lookup(kind, name)`), for topics
    handlers: Any = None


def check_knowledge(filename: str, root: etree._Element, bundle: Bundle,
                    known: Known | None) -> Report:
    """Variables, forms, literals, groups and topics of one BPMN file."""
    report = Report(filename)
    check_variables(root, report, bundle)
    check_forms(root, report)
    check_literals(root, report)
    if known is not None:
        check_groups(root, report, known.directory, known.principal_groups)
        check_topics(root, report, known.handlers, known.worker_topics)
    return report
