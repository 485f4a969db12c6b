"""The lint that knows the bundle: one test per finding, on files as Camunda Modeler 5 writes them.

Each slip is one a process owner really makes (a misspelled variable, `type="integer"`,
an unknown group, `camunda:priority="high"`); each test asserts the element's id and
its name as the Modeler shows it, and whether it is an error or a warning.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import func, select

from engine import Engine
from engine.camunda.handlers import HandlerRegistry
from engine.clock import ManualClock
from engine.errors import DefinitionRefused, Finding
from engine.lint import Known, lint
from engine.store.models import Definition
from tests.conftest import cii_handlers

FILES = Path(__file__).parent / "lint_files"
ROOT = Path(__file__).resolve().parents[2]
DIRECTORY = yaml.safe_load((ROOT / "bpmn" / "directory.yaml").read_text(encoding="utf-8"))


def bundle(*names: str) -> dict[str, bytes]:
    return {name: (FILES / name).read_bytes() for name in names}


def only(findings: list[Finding], element_id: str, *words: str) -> Finding:
    """The one finding on `element_id` whose message has every word."""
    found = [f for f in findings
             if f.element_id == element_id and all(w in f.message for w in words)]
    assert len(found) == 1, [str(f) for f in findings]
    assert "\n" not in found[0].message
    return found[0]


def plain(*names: str) -> list[Finding]:
    """As `ciiflow lint` runs: the directory and the handlers known, no principals."""
    return lint(bundle(*names), None, Known(directory=DIRECTORY, handlers=HandlerRegistry()))


# -- variables -----------------------------------------------------------------------


def test_misspelled_variable_in_a_condition_is_an_error_where_the_start_form_declares_inputs(
) -> None:
    finding = only(plain("declared_inputs.bpmn"), "Flow_accept", "`decison`")
    assert (finding.severity, finding.element_name) == ("error", "accepted")
    assert "did you mean `decision`?" in finding.message
    assert str(finding).startswith("error: declared_inputs.bpmn#Flow_accept 'accepted': ")


def test_misspelled_variable_in_a_candidate_group_template_is_an_error() -> None:
    finding = only(plain("declared_inputs.bpmn"), "Activity_review", "`regio`")
    assert (finding.severity, finding.element_name) == ("error", "Review the case")
    assert "camunda:candidateGroups" in finding.message
    assert "did you mean `region`?" in finding.message


def test_misspelled_name_in_the_expose_list_is_an_error() -> None:
    finding = only(plain("declared_inputs.bpmn"), "Activity_review", "`amuont`")
    assert (finding.severity, finding.element_name) == ("error", "Review the case")
    assert "ciiflow.expose" in finding.message and "did you mean `amount`?" in finding.message


def test_without_a_start_form_an_unwritten_read_is_expected_in_the_start_data() -> None:
    findings = plain("start_data.bpmn", "lint_triage.dmn")
    assert not [f for f in findings if f.severity == "error"]
    typo = only(findings, "Flow_tro", "`triag`")
    assert (typo.severity, typo.element_name) == ("warning", "round table")
    assert "expected in the start data" in typo.message
    assert "did you mean `triage`?" in typo.message
    amount = only(findings, "Flow_tro", "`amount`")
    assert amount.severity == "warning" and "did you mean" not in amount.message


def test_a_decision_input_nothing_writes_is_named_on_the_business_rule_task() -> None:
    finding = only(plain("start_data.bpmn", "lint_triage.dmn"), "Activity_triage", "`typology`")
    assert (finding.severity, finding.element_name) == ("warning", "Propose a service")
    assert "decision lint_triage's input" in finding.message


def test_what_the_bundle_writes_is_not_named() -> None:
    """Form fields, the result variable of a decision, element variables, mappings."""
    findings = plain("start_data.bpmn", "lint_triage.dmn")
    assert not [f for f in findings if "`triage`" in f.message.split("did you mean")[0]]
    source = (FILES / "start_data.bpmn").read_text().replace("triag.service", "triage.service")
    source = source.replace("amount &gt; 1000", "size(offices) &gt; 1")
    source = source.replace(
        '<bpmn:userTask id="Activity_tro" name="Convene the round table" '
        'camunda:candidateGroups="cii-cantonal">',
        '<bpmn:userTask id="Activity_tro" name="Convene the round table" '
        'camunda:candidateGroups="${office}">'
        '<bpmn:multiInstanceLoopCharacteristics camunda:collection="offices" '
        'camunda:elementVariable="office" />')
    source = source.replace(
        '<bpmn:businessRuleTask id="Activity_triage"',
        '<bpmn:businessRuleTask id="Activity_triage"', 1).replace(
        "</bpmn:businessRuleTask>",
        "<bpmn:extensionElements><camunda:inputOutput>"
        '<camunda:outputParameter name="offices">${triage.service}</camunda:outputParameter>'
        "</camunda:inputOutput></bpmn:extensionElements></bpmn:businessRuleTask>")
    files = {"start_data.bpmn": source.encode(), **bundle("lint_triage.dmn")}
    findings = lint(files, None, Known(directory=DIRECTORY))
    assert [f.message for f in findings if "reads `" in f.message] == [
        only(findings, "Activity_triage", "`typology`").message]


def test_without_a_result_variable_the_decision_outputs_are_written() -> None:
    source = (FILES / "start_data.bpmn").read_text().replace(
        ' camunda:resultVariable="triage"', "").replace("triag.service", "service")
    findings = lint({"start_data.bpmn": source.encode(), **bundle("lint_triage.dmn")})
    assert {f.message.split("`")[1] for f in findings if "reads `" in f.message} == {
        "typology", "amount"}


def test_a_call_activity_gives_the_called_process_what_it_maps_in() -> None:
    caller = (ROOT / "tests" / "modeler" / "files" / "call_caller.bpmn")
    called = (ROOT / "tests" / "modeler" / "files" / "call_called.bpmn")
    findings = lint({caller.name: caller.read_bytes(), called.name: called.read_bytes()})
    reads = [f for f in findings if "reads `" in f.message]
    assert {f.file for f in reads} == {caller.name}  # the called process's inputs are mapped
    assert {f.message.split("`")[1] for f in reads} == {"caseNumber", "amount"}


def test_a_message_payload_declared_on_the_receive_task_is_written() -> None:
    assert plain("message_payload.bpmn") == []


def test_an_undeclared_message_payload_read_by_the_expose_list_is_an_error() -> None:
    source = (FILES / "message_payload.bpmn").read_text().replace(
        'value="documents_ref,documents_count"', 'value="documents_count"')
    findings = lint({"message_payload.bpmn": source.encode()})
    finding = only(findings, "Activity_check", "`documents_ref`")
    assert (finding.severity, finding.element_name) == ("error", "Check the documents")
    assert "ciiflow.expose" in finding.message


# -- forms ---------------------------------------------------------------------------


def test_a_form_field_type_camunda_does_not_have_is_an_error() -> None:
    finding = only(plain("form_slips.bpmn"), "Activity_measure", "'measure_months'")
    assert (finding.severity, finding.element_name) == ("error", "Record the measure")
    assert "'integer'" in finding.message and "did you mean `long`?" in finding.message


def test_an_enum_without_values_is_an_error() -> None:
    finding = only(plain("form_slips.bpmn"), "Activity_measure", "'measure_type'")
    assert (finding.severity, finding.element_name) == ("error", "Record the measure")
    assert "has no values" in finding.message


def test_a_constraint_the_type_cannot_have_is_an_error() -> None:
    note = only(plain("form_slips.bpmn"), "Activity_measure", "'measure_note'")
    assert note.severity == "error" and "cannot have constraint 'min'" in note.message
    cost = only(plain("form_slips.bpmn"), "Activity_measure", "'measure_cost'")
    assert cost.severity == "error" and "needs a number" in cost.message


def test_a_condition_comparing_an_enum_to_a_value_it_lacks_is_an_error() -> None:
    finding = only(plain("form_slips.bpmn"), "Flow_more", "'accepted'")
    assert (finding.severity, finding.element_name) == ("error", "more information")
    assert "enum field `decision`" in finding.message
    assert "did you mean `accept`?" in finding.message


def test_an_enum_value_no_flow_of_the_next_gateway_takes_is_an_error() -> None:
    finding = only(plain("form_slips.bpmn"), "Gateway_decision", "'reject'")
    assert (finding.severity, finding.element_name) == ("error", "Decision?")
    assert "no default flow" in finding.message
    assert not [f for f in plain("form_slips.bpmn") if "'more_information', a value" in f.message]


def test_a_default_flow_takes_every_other_enum_value() -> None:
    source = (FILES / "form_slips.bpmn").read_text().replace(
        '<bpmn:exclusiveGateway id="Gateway_decision" name="Decision?"',
        '<bpmn:exclusiveGateway id="Gateway_decision" name="Decision?" default="Flow_more"')
    findings = lint({"form_slips.bpmn": source.encode()})
    assert not [f for f in findings if f.element_id == "Gateway_decision"]


# -- literals ------------------------------------------------------------------------


@pytest.mark.parametrize(("attribute", "text"), [
    ("camunda:dueDate", "'next tuesday'"),
    ("camunda:followUpDate", "'2026-02-30'"),
    ("camunda:priority", "'high'"),
])
def test_a_literal_that_is_no_date_duration_or_number_is_an_error(attribute: str,
                                                                  text: str) -> None:
    finding = only(plain("literals.bpmn"), "Activity_slips", attribute, text)
    assert (finding.severity, finding.element_name) == ("error", "Check the documents")


def test_dates_durations_and_numbers_pass() -> None:
    assert not [f for f in plain("literals.bpmn") if f.element_id == "Activity_fine"]


# -- groups --------------------------------------------------------------------------


def test_a_group_the_directory_does_not_know_is_named_with_the_closest_one() -> None:
    finding = only(plain("groups.bpmn"), "Activity_oai", "'oia'")
    assert (finding.severity, finding.element_name) == ("warning", "Ask the disability office")
    assert "did you mean `oai`?" in finding.message


def test_a_template_is_expanded_over_the_directory_values() -> None:
    findings = plain("groups.bpmn")
    cms = only(findings, "Activity_cms", "'cms-${region}'")
    assert cms.severity == "warning"
    assert "'cms-haut-valais', 'cms-valais-central'" in cms.message
    assert not [f for f in findings if f.element_id == "Activity_pair"]


def test_a_placeholder_without_directory_values_must_match_some_known_group() -> None:
    source = (FILES / "groups.bpmn").read_text().replace(
        'camunda:candidateGroups="oia"', 'camunda:candidateGroups="cii-tem-${decider}"')
    source = source.replace('camunda:candidateGroups="cms-${region}"',
                            'camunda:candidateGroups="cii-team-${decider},cms-${lower(cmsr)}"')
    findings = lint({"groups.bpmn": source.encode()}, None, Known(directory=DIRECTORY))
    assert only(findings, "Activity_oai", "'cii-tem-${decider}'").severity == "warning"
    assert not [f for f in findings if "candidate group" in f.message
                and f.element_id == "Activity_cms"]


def test_groups_are_not_checked_without_a_directory_or_principals() -> None:
    assert not [f for f in lint(bundle("groups.bpmn")) if "candidate group" in f.message]


def test_the_cii_files_lint_clean_with_the_directory_and_the_cii_handlers() -> None:
    files = {p.name: p.read_bytes() for p in sorted((ROOT / "bpmn").iterdir())
             if p.suffix in (".bpmn", ".dmn")}
    findings = lint(files, cii_handlers(), Known(directory=DIRECTORY, handlers=cii_handlers(),
                                                 worker_topics=frozenset()))
    assert [str(f) for f in findings] == []


# -- deploy: the principals of the database ------------------------------------------


@pytest.fixture
def directory_engine(db: SqlEngine, clock: ManualClock) -> Engine:
    return Engine(db, clock=clock, handlers=HandlerRegistry(), directory=DIRECTORY)


def test_deploy_names_a_group_nobody_knows_until_a_principal_holds_it(
        directory_engine: Engine) -> None:
    files = bundle("groups.bpmn")
    first = directory_engine.deploy(files, dry_run=True)
    assert only(first.findings, "Activity_oai", "'oia'").severity == "warning"
    assert "directory or the principals" in only(first.findings, "Activity_oai", "'oia'").message
    directory_engine.create_principal("oia-office", "institution", groups=["oia"])
    second = directory_engine.deploy(files)
    assert not [f for f in second.findings if f.element_id == "Activity_oai"]
    assert [d.version for d in second.definitions] == [1]


def test_deploy_names_a_topic_no_handler_serves_and_no_worker_is_granted(
        directory_engine: Engine) -> None:
    source = (FILES / "declared_inputs.bpmn").read_text()
    source = source.replace("${regio}", "${region}").replace("amuont", "amount")
    files = {"declared_inputs.bpmn": source.replace("decison", "decision").encode()}
    assert not [f for f in directory_engine.lint(files) if "topic" in f.message]
    first = directory_engine.deploy(files, dry_run=True)
    topic = only(first.findings, "Activity_notify", "'notify-institution'")
    assert (topic.severity, topic.element_name) == ("warning", "Notify the institution")
    directory_engine.create_principal("notifier", "worker", topics=["notify-institution"])
    assert not [f for f in directory_engine.deploy(files).findings if "topic" in f.message]


def test_deploy_refuses_a_misspelled_variable_and_writes_nothing(
        directory_engine: Engine, db: SqlEngine) -> None:
    with pytest.raises(DefinitionRefused) as refused:
        directory_engine.deploy(bundle("declared_inputs.bpmn"))
    errors = {(f.element_id, f.element_name) for f in refused.value.findings
              if f.severity == "error"}
    assert errors == {("Flow_accept", "accepted"), ("Activity_review", "Review the case")}
    with db.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Definition)).scalar() == 0
