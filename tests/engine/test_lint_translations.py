"""Lint of German translations, on the real ORP–BIP file with one translation taken out."""

from __future__ import annotations

import re

from engine.errors import Finding
from engine.lint import lint
from tests.processes.driver import BPMN_DIR

ORP_BIP = "orp_bip.bpmn"


def source() -> str:
    return (BPMN_DIR / ORP_BIP).read_text(encoding="utf-8")


def without(text: str, line: str) -> str:
    """The file without the one property line holding `line`."""
    pattern = re.compile(rf"^\s*<camunda:property {re.escape(line)}[^\n]*\n", re.MULTILINE)
    edited, count = pattern.subn("", text)
    assert count == 1, line
    return edited


def translation_warnings(text: str) -> list[Finding]:
    return [f for f in lint({ORP_BIP: text.encode()})
            if f.severity == "warning" and ("German" in f.message or "translates" in f.message)]


def test_the_real_file_has_every_german_text() -> None:
    assert lint({ORP_BIP: source().encode()}) == []


def test_a_user_task_without_name_de_is_named() -> None:
    [finding] = translation_warnings(without(source(), 'name="name.de" value="Beraten'))
    assert (finding.severity, finding.element_id) == ("warning", "counselling_task")
    assert "no German name for user task 'Conseiller et placer'" in finding.message
    assert "name.de" in finding.message


def test_a_form_field_label_and_an_enum_value_without_german_are_named() -> None:
    text = without(source(), 'id="label.de" value="Datum der Anstellung"')
    text = without(text, 'id="value.placed.de"')
    findings = translation_warnings(text)
    assert [(f.element_id, f.message.split(";")[0]) for f in findings] == [
        ("counselling_task", "form field 'placement_outcome': no German name for enum value "
                             "'placed' ('Placé·e')"),
        ("counselling_task", "form field 'placement_date': no German label for "
                             "\"Date d'engagement\""),
    ]
    assert "value.placed.de" in findings[0].message and "label.de" in findings[1].message


def test_a_translation_of_an_enum_value_the_field_lacks_is_named() -> None:
    text = source().replace('id="value.placed.de"', 'id="value.hired.de"')
    messages = [f.message for f in translation_warnings(text)]
    assert any("'value.hired.de' translates enum value 'hired', which the field does not have"
               in m for m in messages)


def test_a_file_drawn_in_french_only_is_not_warned() -> None:
    french = re.sub(r'^\s*<camunda:property (name|id)="(name|label|value\.[^"]+)\.de"[^\n]*\n',
                    "", source(), flags=re.MULTILINE)
    assert ".de\"" not in french
    assert translation_warnings(french) == []
