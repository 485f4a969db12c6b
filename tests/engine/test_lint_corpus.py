"""The hostile-file guard: every hostile file or expression is refused before deploy.

Also holds the small corpus-building functions the other test_lint modules use
(the clean Modeler-style bundle and ways to inject a payload into it).
"""

from __future__ import annotations

import os
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from engine import expressions
from engine.errors import Finding
from engine.lint import UnsafeFile, lint, load_xml

HOSTILE = Path(__file__).parent / "hostile"
CLEAN_BPMN = "clean_case.bpmn"
CLEAN_DMN = "clean_triage.dmn"


def read(name: str) -> bytes:
    return (HOSTILE / name).read_bytes()


def clean_bundle() -> dict[str, bytes]:
    return {CLEAN_BPMN: read(CLEAN_BPMN), CLEAN_DMN: read(CLEAN_DMN)}


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def warnings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "warning"]


def edited(name: str, *pairs: tuple[str, str]) -> bytes:
    """A corpus file with each (old, new) text replaced once; old must be present."""
    source = read(name).decode()
    for old, new in pairs:
        assert old in source, f"fixture text {old!r} not found in {name}"
        source = source.replace(old, new, 1)
    return source.encode()


def lint_replaced(old: str, new: str, *, dmn: bool = False) -> list[Finding]:
    """Lint the clean bundle with one text replaced in the BPMN (or DMN) file."""
    files = clean_bundle()
    name = CLEAN_DMN if dmn else CLEAN_BPMN
    source = files[name].decode()
    assert old in source, f"fixture text {old!r} not found in {name}"
    files[name] = source.replace(old, new, 1).encode()
    return lint(files)


def assert_refused(findings: list[Finding], element_id: str | None, *words: str) -> Finding:
    """At least one error on that element whose message mentions every word."""
    matching = [
        f
        for f in errors(findings)
        if f.element_id == element_id and all(w.lower() in f.message.lower() for w in words)
    ]
    assert matching, f"no error on {element_id!r} with {words}: {[str(f) for f in findings]}"
    assert "\n" not in matching[0].message
    return matching[0]


# -- hostile XML -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("xxe.bpmn", "DOCTYPE"),
        ("xxe_parameter.bpmn", "DOCTYPE"),
        ("billion_laughs.bpmn", "DOCTYPE"),
        ("not_xml.bpmn", "not well-formed XML"),
        ("not_bpmn.bpmn", "not BPMN 2.0 or DMN"),
    ],
)
def test_hostile_xml_is_refused_with_a_one_line_reason(name: str, reason: str) -> None:
    with pytest.raises(UnsafeFile) as caught:
        load_xml(read(name), name)
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)

    findings = lint({name: read(name)})
    assert findings == [Finding("error", name, None, str(caught.value))]


def test_xxe_never_reads_the_file() -> None:
    findings = lint({"xxe.bpmn": read("xxe.bpmn")})
    assert all("root:" not in f.message for f in findings)


def test_doctype_hidden_by_utf16_is_refused() -> None:
    text = (
        read("xxe.bpmn").decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
        .replace(' name="&e;"', "")
    )
    assert b"DOCTYPE" not in text.encode("utf-16")
    with pytest.raises(UnsafeFile, match="DOCTYPE"):
        load_xml(text.encode("utf-16"), "xxe16.bpmn")


def test_plain_doctype_without_entities_is_refused_too() -> None:
    data = read(CLEAN_BPMN).replace(
        b"<bpmn:definitions", b"<!DOCTYPE bpmn:definitions>\n<bpmn:definitions", 1
    )
    with pytest.raises(UnsafeFile, match="DOCTYPE"):
        load_xml(data, "doctype.bpmn")


def test_six_megabyte_file_is_refused_before_parsing() -> None:
    data = read(CLEAN_BPMN).replace(b"</bpmn:definitions>", b"<!--" + b"x" * (6 << 20) + b"-->"
                                    + b"</bpmn:definitions>")
    with pytest.raises(UnsafeFile, match="more than the limit of 5242880 bytes"):
        load_xml(data, "big.bpmn")
    findings = lint({"big.bpmn": data, **clean_bundle()})
    assert [f.file for f in errors(findings)] == ["big.bpmn"]


def test_size_limit_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIIFLOW_MAX_FILE_BYTES", "1000")
    with pytest.raises(UnsafeFile, match="limit of 1000 bytes"):
        load_xml(read(CLEAN_BPMN), CLEAN_BPMN)
    monkeypatch.setenv("CIIFLOW_MAX_FILE_BYTES", str(10 << 20))
    load_xml(read(CLEAN_BPMN) + b" " * (6 << 20), CLEAN_BPMN)


@pytest.mark.parametrize("data", [b"", b"   ", b"<a", "<x/>".encode("utf-32")])
def test_empty_or_broken_input_is_unsafe(data: bytes) -> None:
    with pytest.raises(UnsafeFile):
        load_xml(data, "x.bpmn")


@pytest.mark.parametrize(
    "namespace",
    [
        "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
        "http://www.omg.org/spec/DMN/20180521/MODEL/",
        "https://www.omg.org/spec/DMN/20191111/MODEL/",
    ],
)
def test_dmn_roots_of_versions_1_1_to_1_3_load(namespace: str) -> None:
    root = load_xml(f'<definitions xmlns="{namespace}" id="d"/>'.encode(), "d.dmn")
    assert root.get("id") == "d"


def test_bpmn_namespace_with_wrong_root_is_refused() -> None:
    data = b'<process xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="p"/>'
    with pytest.raises(UnsafeFile, match="root element"):
        load_xml(data, "p.bpmn")


def test_deep_nesting_is_refused_by_the_parser_limits() -> None:
    deep = read(CLEAN_BPMN).replace(
        b"<bpmn:documentation>", b""
    ).replace(b"</bpmn:process>", b"<bpmn:documentation>" + b"<a>" * 5000 + b"</a>" * 5000
              + b"</bpmn:documentation></bpmn:process>", 1)
    with pytest.raises(UnsafeFile, match="depth"):
        load_xml(deep, "deep.bpmn")


def test_a_crashing_checker_refuses_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(text: str, kind: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(expressions, "check", crash)
    assert_refused(lint(clean_bundle()), "Flow_B", "could not be checked", "boom")


def test_a_crashing_lint_refuses_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.lint as package

    def crash(*args: object) -> None:
        raise KeyError("x")

    monkeypatch.setattr(package, "check_bpmn", crash)
    assert_refused(lint(clean_bundle()), None, "lint could not check the file")


def test_unsafe_file_does_not_stop_the_other_files() -> None:
    files = {"xxe.bpmn": read("xxe.bpmn"), **clean_bundle()}
    findings = lint(files)
    assert [(f.file, f.element_id) for f in findings] == [("xxe.bpmn", None)]


# -- code in a file --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("script_groovy.bpmn", "groovy"),
        ("script_javascript.bpmn", "javascript"),
        ("script_python.bpmn", "python"),
    ],
)
def test_script_tasks_are_refused_in_every_language(name: str, language: str) -> None:
    finding = assert_refused(lint({name: read(name)}), "Task_script", "script task", language)
    assert finding.file == name


def test_listeners_are_refused_naming_the_listener() -> None:
    findings = lint({"l.bpmn": read("listener_class.bpmn")})
    assert_refused(findings, "Task_listened", "camunda:executionListener", "org.evil.Run")
    assert_refused(findings, "Task_listened", "camunda:taskListener", "delegateExpression")


def test_script_listener_is_refused_once() -> None:
    findings = lint({"l.bpmn": read("listener_script.bpmn")})
    assert len(errors(findings)) == 1
    assert_refused(findings, "Task_listened", "executionListener", "inline script")


def test_script_in_input_output_is_refused() -> None:
    assert_refused(lint({"io.bpmn": read("io_script.bpmn")}), "Task_io", "camunda:script")


def test_connector_is_refused() -> None:
    assert_refused(lint({"c.bpmn": read("connector.bpmn")}), "Task_http", "connector")


def test_script_condition_language_is_refused() -> None:
    findings = lint({"c.bpmn": read("condition_groovy.bpmn")})
    assert_refused(findings, "Flow_2", "groovy", "refused")


def test_lint_runs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Linting the whole hostile corpus creates no MARKER file anywhere it could."""
    monkeypatch.chdir(tmp_path)
    for path in sorted(HOSTILE.iterdir()):
        lint({path.name: path.read_bytes()})
    assert not (tmp_path / "MARKER").exists()
    assert not Path("/tmp/MARKER").exists() or os.path.getmtime("/tmp/MARKER") < 0


# -- hostile expressions (need the expression and FEEL checkers) -----------------

PAYLOADS = [
    '__import__("os").system("touch MARKER")',
    "().__class__.__bases__",
    "().__class__.__bases__[0].__subclasses__()",
    'open("/etc/passwd").read()',
    "(lambda: 1)()",
    "[c for c in ()]",
    "{k: v for k, v in x}",
    "x.__class__.__mro__",
    'getattr(x, "__globals__")',
    "import os",
    'exec("1")',
    "x if y else z",
    "x; y",
]


def _attr(text: str) -> str:
    return escape(text, {"\"": "&quot;"})


SITES = {
    "condition": (
        '${track == "B" &amp;&amp; amount &gt; 1000}', lambda p: escape("${" + p + "}"), "Flow_B"
    ),
    "timer": ("P10D</bpmn:timeDuration>", lambda p: escape(p) + "</bpmn:timeDuration>",
              "Event_review_late"),
    "timer expression": ("P10D</bpmn:timeDuration>",
                         lambda p: escape("${" + p + "}") + "</bpmn:timeDuration>",
                         "Event_review_late"),
    "candidate groups": ('camunda:candidateGroups="cii-coordination,cii-${region}"',
                         lambda p: f'camunda:candidateGroups="{_attr("${" + p + "}")}"',
                         "Task_review"),
    "due date": ('camunda:dueDate="${reviewDue}"',
                 lambda p: f'camunda:dueDate="{_attr("${" + p + "}")}"', "Task_review"),
    "input mapping": ("${amount}</camunda:inputParameter>",
                      lambda p: escape("${" + p + "}") + "</camunda:inputParameter>",
                      "Task_review"),
    "list mapping": ("<camunda:value>${region}</camunda:value>",
                     lambda p: f"<camunda:value>{escape('${' + p + '}')}</camunda:value>",
                     "Task_review"),
    "completion condition": ("${nrOfCompletedInstances &gt;= 2}",
                             lambda p: escape("${" + p + "}"), "Task_institutions"),
    "collection": ('camunda:collection="institutions"',
                   lambda p: f'camunda:collection="{_attr(p)}"', "Task_institutions"),
}


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("site", sorted(SITES))
def test_hostile_expression_is_refused_in_bpmn(site: str, payload: str) -> None:
    old, make, element_id = SITES[site]
    findings = lint_replaced(old, make(payload))
    assert_refused(findings, element_id)


DMN_SITES = {
    "input entry": ("<text>&gt; 1000</text>", "UnaryTests_large"),
    "output entry": ('<text>"B"</text>', "LiteralExpression_b"),
    "input expression": ("<text>amount</text>", "InputExpression_amount"),
}


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("site", sorted(DMN_SITES))
def test_hostile_cell_is_refused_in_dmn(site: str, payload: str) -> None:
    old, element_id = DMN_SITES[site]
    findings = lint_replaced(old, f"<text>{escape(payload)}</text>", dmn=True)
    finding = assert_refused(findings, element_id)
    assert finding.file == CLEAN_DMN


@pytest.mark.parametrize("payload", PAYLOADS[:4])
def test_hostile_juel_cell_is_refused_in_dmn(payload: str) -> None:
    """A ${…} cell is JUEL: the FEEL checker does not read it, the lint still must."""
    findings = lint_replaced(
        "<text>&gt; 1000</text>", f"<text>{escape('${' + payload + '}')}</text>", dmn=True
    )
    assert_refused(findings, "UnaryTests_large")


def test_hostile_files_from_the_corpus_are_refused_with_element_ids() -> None:
    expected = {
        "condition_hostile.bpmn": "Flow_2",
        "groups_hostile.bpmn": "Task_groups",
        "timer_hostile.bpmn": "Event_wait",
        "mapping_hostile.bpmn": "Task_mapped",
        "dmn_hostile.dmn": "UnaryTests_1",
    }
    for name, element_id in expected.items():
        assert_refused(lint({name: read(name)}), element_id, "does not parse")
    assert_refused(lint({"h.dmn": read("dmn_hostile.dmn")}), "LiteralExpression_2")


def test_syntax_error_names_the_column() -> None:
    findings = lint_replaced('${track == "B" &amp;&amp; amount &gt; 1000}', "${amount &gt; }")
    assert_refused(findings, "Flow_B", "column")


def test_dmn_script_language_is_refused() -> None:
    findings = lint({"js.dmn": read("dmn_javascript.dmn")})
    assert_refused(findings, "InputExpression_1", "javascript")
    assert_refused(findings, "UnaryTests_1", "groovy")
