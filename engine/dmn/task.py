"""Business rule tasks on ciiflow's DMN engine, inside SpiffWorkflow.

SpiffWorkflow's own business rule task runs its DMN engine, which evaluates
cells with Python `eval` and knows one decision per file. Here the BPMN side
is rewired to ours, the way SpiffWorkflow extends itself:

* `DmnBundleMixin` replaces `BpmnDmnParser`'s DMN handling on the top parser
  (`class CiiflowParser(DmnBundleMixin, CamundaParser)`): DMN files of a
  bundle are parsed by `engine.dmn.parser`, and SpiffWorkflow's DMN parser and
  engine are never built.
* `DecisionTaskParser` reads `camunda:decisionRef`, `resultVariable`,
  `mapDecisionResult`, `decisionRefBinding`/`decisionRefVersion` and attaches
  the decision (with the decisions it requires) to a `DecisionTaskSpec`.
* `DecisionTaskConverter` stores the DMN source text in the serialized spec,
  so a spec restored from the database evaluates without any parser; parsed
  files are cached by content hash, so restoring many specs parses once.

Binding: the decision is found in the deployed bundle at parse time (and kept on
the spec, Camunda's `deployment` binding); `latest` (the default), `version`
(`camunda:decisionRefVersion`) and `versionTag` (`camunda:decisionRefVersionTag`)
are resolved when the task runs, through the workflow's script engine
(`decisions_for`: the runtime looks them up in the decision store), so a
corrected table reaches running cases at their next evaluation.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import IO, Any

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.helpers.spec import TaskSpecConverter
from SpiffWorkflow.bpmn.specs.mixins.bpmn_spec_mixin import BpmnSpecMixin
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, CamundaTaskParser
from SpiffWorkflow.specs.Simple import Simple

from .errors import DmnError, DmnParseError
from .evaluate import evaluate_decision, requirement_order
from .model import Decision
from .parser import parse_dmn, parse_dmn_cached, source_key
from .result import (
    DEFAULT_MAP_MODE,
    MAP_MODES,
    DecisionResult,
    map_decision_result,
    result_as_variables,
)

BINDINGS = ("latest", "deployment", "version", "versionTag")
#: the attribute naming which version a binding takes
_BINDING_VALUE = {"version": "decisionRefVersion", "versionTag": "decisionRefVersionTag"}


class DecisionTaskSpec(BpmnSpecMixin, Simple):
    """A business rule task that evaluates a ciiflow `Decision` against task data.

    With `result_variable`, the mapped result goes to `task.data[result_variable]`
    (Camunda 7). Without it, the outputs are merged into the task data (the old
    SpiffWorkflow behaviour; several matched rules give one list per output name).
    """

    def __init__(
        self,
        wf_spec: Any,
        bpmn_id: str,
        decision_ref: str,
        decisions: Mapping[str, Decision],
        result_variable: str | None = None,
        map_decision_result: str | None = None,
        binding: str | None = None,
        version: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.decision_ref = decision_ref
        self.decisions: dict[str, Decision] = dict(decisions)
        self.result_variable = result_variable
        self.map_decision_result = map_decision_result or DEFAULT_MAP_MODE
        self.binding = binding or "latest"
        self.version = version

    def bound_decisions(self, my_task: Any) -> Mapping[str, Decision]:
        """The decisions this evaluation uses, by `camunda:decisionRefBinding`.

        The workflow's script engine resolves `latest`, `version` and `versionTag` in
        the decision store (`decisions_for`, on the runtime's host); `deployment`, or
        a script engine without a store, uses the decisions deployed with the process.
        """
        if self.binding == "deployment":
            return self.decisions
        lookup = getattr(my_task.workflow.script_engine, "decisions_for", None)
        found = lookup(self.decision_ref, self.binding, self.version) if lookup else None
        return found if found is not None else self.decisions

    def _run_hook(self, my_task: Any) -> bool:
        try:
            decisions = self.bound_decisions(my_task)
            result = evaluate_decision(decisions, self.decision_ref, my_task.data)
            self.decided(my_task, result)
            if self.result_variable:
                mapped = map_decision_result(result, self.map_decision_result)
                my_task.data[self.result_variable] = mapped
            else:
                decision = decisions[self.decision_ref]
                my_task.data.update(result_as_variables(result, decision))
        except DmnError as exc:
            error = WorkflowTaskException(str(exc), task=my_task, exception=exc)
            error.add_note(f"Business rule task {self.bpmn_id!r}, decision {self.decision_ref!r}.")
            raise error from exc
        return super()._run_hook(my_task)

    def decided(self, my_task: Any, result: DecisionResult) -> None:
        """Hand each evaluation to the workflow's script engine (`record_decision`, on the
        runtime's host), which puts it in the case history: inputs, matched rules, outputs."""
        record = getattr(my_task.workflow.script_engine, "record_decision", None)
        if record is not None:
            record(my_task, result)


def _camunda(node: Any, name: str) -> str | None:
    value = node.get(f"{{{CAMUNDA_MODEL_NS}}}{name}")
    return value.strip() if isinstance(value, str) and value.strip() else None


class DecisionTaskParser(CamundaTaskParser):
    """Parses `<bpmn:businessRuleTask camunda:decisionRef=…>` into a `DecisionTaskSpec`.

    Refuses, at deploy time, a decisionRef that is not in the bundle, an
    expression as decisionRef, and an unknown mapDecisionResult.
    """

    def create_task(self) -> DecisionTaskSpec:
        decision_ref = self.get_decision_ref(self.node)
        if decision_ref is None:
            self.raise_validation_exception("A business rule task needs camunda:decisionRef")
        if decision_ref.startswith(("${", "#{")):
            self.raise_validation_exception(
                f"camunda:decisionRef {decision_ref!r} is an expression; name a decision id"
            )
        bundle = getattr(self.process_parser.parser, "get_decisions", None)
        if bundle is None:
            self.raise_validation_exception("the BPMN parser has no DmnBundleMixin")
        decisions = bundle()
        if decision_ref not in decisions:
            self.raise_validation_exception(
                f"No decision with id {decision_ref!r} in the deployed DMN files; "
                f"available: {', '.join(sorted(decisions)) or 'none'}"
            )
        mode = _camunda(self.node, "mapDecisionResult") or DEFAULT_MAP_MODE
        if mode not in MAP_MODES:
            self.raise_validation_exception(
                f"camunda:mapDecisionResult {mode!r} is not one of {', '.join(MAP_MODES)}"
            )
        binding = _camunda(self.node, "decisionRefBinding") or "latest"
        if binding not in BINDINGS:
            self.raise_validation_exception(f"camunda:decisionRefBinding {binding!r} is unknown")
        version = _BINDING_VALUE.get(binding) and _camunda(self.node, _BINDING_VALUE[binding])
        if binding in _BINDING_VALUE and version is None:
            self.raise_validation_exception(
                f"camunda:decisionRefBinding {binding!r} needs camunda:{_BINDING_VALUE[binding]}")
        try:
            needed = {i: decisions[i] for i in requirement_order(decisions, decision_ref)}
        except DmnError as exc:
            self.raise_validation_exception(str(exc))
        return self.spec_class(
            self.spec,
            self.bpmn_id,
            decision_ref=decision_ref,
            decisions=needed,
            result_variable=_camunda(self.node, "resultVariable"),
            map_decision_result=mode,
            binding=binding,
            version=version or None,
            **self.bpmn_attributes,
        )

    @staticmethod
    def get_decision_ref(node: Any) -> str | None:
        """Also called by `BpmnDmnParser._find_dependencies` for every business rule task."""
        return _camunda(node, "decisionRef")


class DmnBundleMixin:
    """Top-parser mixin: the DMN files of a deployment bundle, parsed by ciiflow.

    Mix in before `CamundaParser`. Overrides every DMN entry point of
    SpiffWorkflow's `BpmnDmnParser` so its DMN parser and engine are never used.
    Decision ids must be unique across the bundle's files.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ciiflow_decisions: dict[str, Decision] = {}

    def add_dmn_xml(self, xml_bytes: bytes | str | Any, filename: str | None = None) -> None:
        """Parse one DMN file (bytes; an lxml element is accepted for old callers)."""
        if isinstance(xml_bytes, etree._Element):
            xml_bytes = etree.tostring(xml_bytes, encoding="utf-8")
        decisions = parse_dmn(xml_bytes, filename)
        for decision_id in decisions:
            known = self._ciiflow_decisions.get(decision_id)
            if known is not None:
                raise DmnParseError(
                    f"decision id {decision_id!r} is in both {known.filename} and {filename}"
                )
        self._ciiflow_decisions.update(decisions)

    def add_dmn_str(self, dmn_str: bytes | str, filename: str | None = None) -> None:
        self.add_dmn_xml(dmn_str, filename)

    def add_dmn_io(self, file_like_object: IO[Any], filename: str | None = None) -> None:
        self.add_dmn_xml(file_like_object.read(), filename)

    def add_dmn_file(self, filename: str) -> None:
        self.add_dmn_files([filename])

    def add_dmn_files(self, filenames: Iterable[str]) -> None:
        for filename in filenames:
            with open(filename, "rb") as handle:
                self.add_dmn_xml(handle.read(), filename)

    def add_dmn_files_by_glob(self, pattern: str) -> None:
        self.add_dmn_files(glob.glob(pattern))

    def get_decisions(self) -> Mapping[str, Decision]:
        """All decisions of the bundle, across files, by decision id."""
        return MappingProxyType(self._ciiflow_decisions)

    def get_engine(self, decision_ref: str, node: Any) -> Any:
        """SpiffWorkflow's DMN engine evaluates cells with eval: never build it."""
        raise ValidationException(
            "SpiffWorkflow's DMN engine is disabled in ciiflow: map bpmn:businessRuleTask "
            "to (DecisionTaskParser, DecisionTaskSpec) in OVERRIDE_PARSER_CLASSES",
            node=node,
            file_name="",
        )

    def get_dmn_dependencies(self) -> set[str]:
        dependencies: set[str] = getattr(self, "dmn_dependencies", set())
        return {ref for ref in dependencies if ref}


class DecisionTaskConverter(TaskSpecConverter):
    """Serializes a `DecisionTaskSpec` with the DMN texts its decisions come from."""

    def to_dict(self, spec: DecisionTaskSpec) -> dict[str, Any]:
        dct = self.get_default_attributes(spec)
        sources: dict[str, dict[str, Any]] = {}
        for decision in spec.decisions.values():
            key = source_key(decision.source)
            sources.setdefault(key, {"filename": decision.filename, "xml": decision.source})
        dct.update(
            decision_ref=spec.decision_ref,
            decision_ids=list(spec.decisions),
            dmn_sources=list(sources.values()),
            result_variable=spec.result_variable,
            map_decision_result=spec.map_decision_result,
            binding=spec.binding,
            version=spec.version,
        )
        return dct

    def from_dict(self, dct: dict[str, Any]) -> DecisionTaskSpec:
        available: dict[str, Decision] = {}
        for source in dct.pop("dmn_sources"):
            available.update(parse_dmn_cached(source["xml"], source.get("filename")))
        dct["decisions"] = {i: available[i] for i in dct.pop("decision_ids")}
        return self.task_spec_from_dict(dct)
