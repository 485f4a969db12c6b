"""``python -m bpmn.tools``: the same generator as ``python bpmn/tools/draw.py``."""

from __future__ import annotations

from bpmn.tools.draw import main

main()
