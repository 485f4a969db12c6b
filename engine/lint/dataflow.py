"""What each element of a process reads, and what in the bundle can write each variable.

The variable check (`engine.lint.variables`), the form check and the exposure
check all ask the same two questions of a process, so they are answered once
here from the XML, the way the runtime reads it: expressions through the parser
of `engine.expressions` (never a regex), DMN input expressions through the FEEL
grammar of `engine.dmn`, call activities through their `camunda:in` mappings
(the called process gets nothing else, `engine.camunda.mappings`).

The analysis is flow-insensitive: a variable counts as written when any element
of the process (its subprocesses included) can write it. It never claims a
variable is missing when some path writes it; it only misses a read that comes
before its write, which the runtime then reports as an incident naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lark import Tree
from lxml import etree

from engine import expressions
from engine.camunda.forms import EXPOSE_PROPERTY
from engine.camunda.namespaces import BPMN, CAMUNDA, tag
from engine.dmn.feel import PARSER as FEEL_PARSER
from engine.expressions import juel
from engine.expressions import text as fields
from engine.lint.bundle import Bundle
from engine.lint.report import owner_id

#: set by the engine itself for every multi-instance activity (`engine.camunda.multiinstance`)
BUILT_INS = frozenset({"loopCounter", "nrOfInstances", "nrOfActiveInstances",
                       "nrOfCompletedInstances"})
#: a property on an external task or a message-catching element listing what it writes
OUTPUTS_PROPERTY = "ciiflow.outputs"

_TEMPLATES = ("candidateGroups", "candidateUsers", "assignee", "dueDate", "followUpDate",
              "priority")
_MESSAGE_CATCHERS = ("startEvent", "intermediateCatchEvent", "boundaryEvent", "receiveTask")


@dataclass(frozen=True)
class Read:
    """One variable read by one element, and where in the element (for the message)."""

    name: str
    element_id: str | None
    what: str


@dataclass
class ProcessData:
    """Reads and writes of one executable process, subprocesses included."""

    process: etree._Element
    reads: list[Read] = field(default_factory=list)
    #: variable -> how it is written (the first writer found), for messages
    writes: dict[str, str] = field(default_factory=dict)
    #: the fields of the none start event's form; non-empty: the process declares its inputs
    start_form: list[str] = field(default_factory=list)

    def write(self, name: str | None, how: str) -> None:
        if name and name.strip():
            self.writes.setdefault(name.strip(), how)


def _c(name: str) -> str:
    return tag(CAMUNDA, name)


def names_in(text: str, kind: str) -> set[str]:
    """Top-level variables of a field; a field that does not parse reads nothing here
    (the expression check refuses it, once)."""
    try:
        return expressions.variables(text, kind)
    except expressions.ExpressionError:
        return set()
    except Exception:  # noqa: BLE001 - a checker crash is reported by the expression check
        return set()


def condition_trees(text: str) -> list[Tree]:
    """The parse trees of a condition (one `${…}` or a bare expression); [] if it fails."""
    try:
        if not fields.has_expression(text):
            return [juel.parse(text)]
        return [juel.parse(p.source, text, p.offset) for p in fields.split(text)
                if p.is_expression]
    except expressions.ExpressionError:
        return []


def properties(element: etree._Element) -> dict[str, str]:
    """The element's own `camunda:properties` (not those of a nested element)."""
    found: dict[str, str] = {}
    extensions = element.find(tag(BPMN, "extensionElements"))
    if extensions is None:
        return found
    for prop in extensions.iterfind(f"{_c('properties')}/{_c('property')}"):
        if prop.get("name"):
            found[prop.get("name") or ""] = prop.get("value") or ""
    return found


def listed(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def executable_processes(root: etree._Element) -> Iterator[etree._Element]:
    for process in root.iter(tag(BPMN, "process")):
        if (process.get("isExecutable") or "true").strip().lower() == "true":
            yield process


def start_form_fields(process: etree._Element) -> list[str]:
    """Field ids of the process's none start event form (the case's declared inputs)."""
    for start in process.iterfind(tag(BPMN, "startEvent")):
        if any(child.tag.endswith("EventDefinition") for child in start
               if isinstance(child.tag, str)):
            continue
        ids = [f.get("id") or "" for f in start.iter(_c("formField"))]
        if ids:
            return [i for i in ids if i]
    return []


def process_data(process: etree._Element, bundle: Bundle) -> ProcessData:
    """Reads and writes of `process`, using the bundle for decisions and callers."""
    data = ProcessData(process, start_form=start_form_fields(process))
    for name in BUILT_INS:
        data.write(name, "the engine (multi-instance)")
    _form_writes(process, data)
    _mapping_writes(process, data, bundle)
    _decision_writes(process, data, bundle)
    _declared_writes(process, data)
    _caller_writes(process, data, bundle)
    _reads(process, data, bundle)
    return data


def _form_writes(process: etree._Element, data: ProcessData) -> None:
    for form_field in process.iter(_c("formField")):
        owner = owner_id(form_field)
        data.write(form_field.get("id"), f"form field of {owner}")


def _mapping_writes(process: etree._Element, data: ProcessData, bundle: Bundle) -> None:
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        data.write(element.get(_c("resultVariable")), f"result variable of {element.get('id')}")
        data.write(element.get(_c("elementVariable")), f"element variable of {owner_id(element)}")
    for parameter in process.iter(_c("outputParameter")):
        data.write(parameter.get("name"), f"output parameter of {owner_id(parameter)}")
    for parameter in process.iter(_c("inputParameter")):
        data.write(parameter.get("name"), f"input parameter of {owner_id(parameter)}")
    for out in process.iter(_c("out")):
        owner = owner_id(out)
        if out.get("variables") == "all":
            called = _called_process(out, bundle)
            if called is not None:
                for name in _own_writes(called):
                    data.write(name, f"call activity {owner} (variables all)")
        data.write(out.get("target"), f"camunda:out of {owner}")


def _called_process(mapping: etree._Element, bundle: Bundle) -> etree._Element | None:
    node = mapping.getparent()
    while node is not None and node.tag != tag(BPMN, "callActivity"):
        node = node.getparent()
    return find_process(bundle, node.get("calledElement") if node is not None else None)


def find_process(bundle: Bundle, key: str | None) -> etree._Element | None:
    for filename in bundle.processes.get(key or "", []):
        for process in bundle.roots[filename].iter(tag(BPMN, "process")):
            if process.get("id") == key:
                return process
    return None


def _own_writes(process: etree._Element) -> set[str]:
    """Form fields, result variables and output mappings of a process (no recursion)."""
    names = {f.get("id") or "" for f in process.iter(_c("formField"))}
    for element in process.iter():
        if isinstance(element.tag, str) and element.get(_c("resultVariable")):
            names.add(element.get(_c("resultVariable")) or "")
    names |= {p.get("name") or "" for p in process.iter(_c("outputParameter"))}
    return {n for n in names if n}


def decision_element(bundle: Bundle, decision_id: str) -> etree._Element | None:
    for filename in bundle.decisions.get(decision_id, []):
        for element in bundle.roots[filename].iter():
            if (isinstance(element.tag, str) and etree.QName(element).localname == "decision"
                    and element.get("id") == decision_id):
                return element
    return None


def _decision_chain(bundle: Bundle, decision_id: str) -> list[etree._Element]:
    """The decision and every decision it requires, each once."""
    chain: list[etree._Element] = []
    pending, seen = [decision_id], set()
    while pending:
        ident = pending.pop()
        if ident in seen:
            continue
        seen.add(ident)
        element = decision_element(bundle, ident)
        if element is None:
            continue
        chain.append(element)
        for required in element.iter():
            if (isinstance(required.tag, str)
                    and etree.QName(required).localname == "requiredDecision"):
                pending.append((required.get("href") or "").lstrip("#"))
    return chain


def _local(element: etree._Element, name: str) -> list[etree._Element]:
    return [e for e in element.iter() if isinstance(e.tag, str)
            and etree.QName(e).localname == name]


def decision_outputs(decision: etree._Element) -> set[str]:
    names = {o.get("name") or "" for o in _local(decision, "output")}
    names |= {v.get("name") or "" for v in _local(decision, "variable")}
    return {n for n in names if n}


def _decision_writes(process: etree._Element, data: ProcessData, bundle: Bundle) -> None:
    """Without a result variable the outputs are merged into the case data."""
    for task in process.iter(tag(BPMN, "businessRuleTask")):
        ref = task.get(_c("decisionRef"))
        if not ref or task.get(_c("resultVariable")):
            continue
        chain = _decision_chain(bundle, ref)
        if chain:
            for name in decision_outputs(chain[0]):
                data.write(name, f"output of decision {ref} in {task.get('id')}")


def _declared_writes(process: etree._Element, data: ProcessData) -> None:
    """External tasks and message catchers write what their `ciiflow.outputs` lists."""
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        declared = properties(element).get(OUTPUTS_PROPERTY)
        if declared:
            for name in listed(declared):
                data.write(name, f"{OUTPUTS_PROPERTY} of {element.get('id')}")


def _caller_writes(process: etree._Element, data: ProcessData, bundle: Bundle) -> None:
    """A called process starts with what its callers' `camunda:in` map."""
    key = process.get("id")
    for root in bundle.roots.values():
        for call in root.iter(tag(BPMN, "callActivity")):
            if call.get("calledElement") != key:
                continue
            for mapping in call.iter(_c("in")):
                if mapping.get("variables") == "all":
                    caller = _enclosing_process(call)
                    for name in _own_writes(caller) if caller is not None else ():
                        data.write(name, f"call activity {call.get('id')} (variables all)")
                data.write(mapping.get("target"), f"camunda:in of {call.get('id')}")


def _enclosing_process(element: etree._Element) -> etree._Element | None:
    node = element.getparent()
    while node is not None and node.tag != tag(BPMN, "process"):
        node = node.getparent()
    return node


# -- reads ------------------------------------------------------------------------------


def _reads(process: etree._Element, data: ProcessData, bundle: Bundle) -> None:
    def add(element: etree._Element, text: str | None, kind: str, what: str) -> None:
        if text and text.strip():
            for name in sorted(names_in(text, kind)):
                data.reads.append(Read(name, owner_id(element), what))

    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local == "conditionExpression":
            add(element, element.text, "condition", "its condition")
        elif local in ("condition", "loopCondition", "completionCondition"):
            add(element, element.text, "condition", f"its {local}")
        elif local == "loopCardinality":
            add(element, element.text, "template", "its loopCardinality")
        elif local in ("timeDate", "timeDuration", "timeCycle"):
            add(element, element.text, "template", f"its timer {local}")
        elif element.tag in (_c("inputParameter"), _c("outputParameter")):
            _parameter_reads(element, add)
        elif element.tag == _c("in"):
            source = element.get("source")
            if source:
                data.reads.append(Read(source.strip(), owner_id(element),
                                       "its camunda:in source"))
            add(element, element.get("sourceExpression"), "template",
                "its camunda:in sourceExpression")
        elif element.tag == _c("formField"):
            default = element.get("defaultValue")
            add(element, default, "template", f"the default of form field {element.get('id')}")
        for name in _TEMPLATES:
            add(element, element.get(_c(name)), "template", f"camunda:{name}")
        collection = element.get(_c("collection"))
        if collection and "${" not in collection and "#{" not in collection:
            data.reads.append(Read(collection.strip(), owner_id(element), "camunda:collection"))
        else:
            add(element, collection, "template", "camunda:collection")
        expose = properties(element).get(EXPOSE_PROPERTY)
        if expose:
            for name in listed(expose):
                data.reads.append(Read(name, element.get("id"), f"its {EXPOSE_PROPERTY} list"))
        if local == "businessRuleTask" and element.get(_c("decisionRef")):
            _decision_reads(element, data, bundle)


def _parameter_reads(parameter: etree._Element, add: Callable[..., None]) -> None:
    """Texts of a parameter, its list items and map entries (scripts are refused elsewhere)."""
    children = [c for c in parameter if isinstance(c.tag, str)]
    if not children:
        add(parameter, parameter.text, "template", f"mapping {parameter.get('name')!r}")
        return
    for node in parameter.iter(_c("value"), _c("entry")):
        if not [c for c in node if isinstance(c.tag, str)]:
            add(node, node.text, "template", f"mapping {parameter.get('name')!r}")


def _decision_reads(task: etree._Element, data: ProcessData, bundle: Bundle) -> None:
    """The input expressions of the decision and of the decisions it requires."""
    chain = _decision_chain(bundle, task.get(_c("decisionRef")) or "")
    produced: set[str] = set()
    for decision in chain:
        produced |= decision_outputs(decision) | {decision.get("id") or ""}
    for decision in chain:
        for expression in _local(decision, "inputExpression"):
            text = "".join(expression.itertext()).strip()
            for name in sorted(feel_names(text) - produced):
                data.reads.append(Read(name, task.get("id"),
                                       f"decision {decision.get('id')}'s input {text!r}"))


def feel_names(text: str) -> set[str]:
    """Names an input expression reads: `${…}` through JUEL, FEEL through its grammar."""
    if not text:
        return set()
    if text.startswith(("${", "#{")):
        return names_in(text, "template")
    try:
        tree = FEEL_PARSER.parse(text, start="expression")
    except Exception:  # noqa: BLE001 - a syntax error is reported by the DMN check
        return set()
    if not isinstance(tree, Tree):
        return set()
    return {str(node.children[0]) for node in tree.iter_subtrees() if node.data == "name"}
