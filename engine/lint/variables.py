"""A variable read that nothing in the bundle writes: the misspelled name of a condition.

`${decison == "accept"}` passes every syntax check and opens an incident on
every case that reaches the gateway. Where the process declares its inputs
(a none start event with a form), a read that no form field, result variable,
decision output, mapping, element variable or declared output writes is an
error: nothing can ever give it a value. Without a start form the case's start
data may carry it, so it is a warning saying so. The closest written name is
suggested (difflib), because the usual cause is a typo.
"""

from __future__ import annotations

import difflib

from lxml import etree

from engine.lint.bundle import Bundle
from engine.lint.dataflow import OUTPUTS_PROPERTY, ProcessData, executable_processes, process_data
from engine.lint.report import Report


def suggestion(name: str, known: list[str]) -> str:
    """` did you mean `x`?` for the closest known name, or nothing."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def check_variables(root: etree._Element, report: Report, bundle: Bundle) -> None:
    for process in executable_processes(root):
        _check_process(process_data(process, bundle), report)


def _check_process(data: ProcessData, report: Report) -> None:
    key = data.process.get("id")
    known = sorted(data.writes)
    seen: set[tuple[str | None, str]] = set()
    for read in data.reads:
        if read.name in data.writes or (read.element_id, read.name) in seen:
            continue
        seen.add((read.element_id, read.name))
        hint = suggestion(read.name, known)
        if data.start_form:
            hint = hint or "; correct the name or add a form field"
            report.error(
                read.element_id,
                f"{read.what} reads `{read.name}`, which nothing in process {key!r} writes: "
                f"the start form declares the case's inputs and `{read.name}` is none of "
                f"them, nor a form field, result variable, decision output, mapping or "
                f"{OUTPUTS_PROPERTY} of an element{hint}")
        else:
            report.warning(
                read.element_id,
                f"{read.what} reads `{read.name}`, which nothing in process {key!r} writes: "
                "it is expected in the start data, or the case stops with an incident here "
                f"(a start form declares a process's inputs){hint}")
