"""The generator of ``bpmn/*.bpmn`` and ``*.dmn`` (run ``python -m bpmn.tools``).

Why it is split by process: each process and decision file has its own module
(``cii_case/`` by part of the case), over a small process model
(``builder.py``, ``geometry.py``) and the shared Modeler writer (``writer.py``).
"""
