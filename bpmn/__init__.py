"""The deployable process files live in this folder; it is a package only for its tools.

Why a package at all: ``bpmn.tools.writer`` is the one Modeler-file writer,
shared by the generator of these files and by the test helpers
(``tests/modeler``, ``tests/support``), which import it from the repository root.
"""
