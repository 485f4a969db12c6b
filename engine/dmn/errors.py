"""The errors of ciiflow's DMN engine.

One base class, `DmnError`, so that the deploy-time lint and the engine can catch
everything DMN raises with one `except` and turn it into a finding or an incident
that names the decision, rule or cell at fault.
"""

from __future__ import annotations


class DmnError(Exception):
    """Base of every error raised by `engine.dmn`."""


class DmnParseError(DmnError):
    """A DMN file that cannot be loaded: bad XML, unknown hit policy, missing ids.

    The message names the file, decision and rule, because process owners fix
    these in Camunda Modeler, not in Python.
    """


class DmnEvaluationError(DmnError):
    """A decision that failed while being evaluated (hit policy violated, bad type)."""


class DecisionResultMappingError(DmnEvaluationError):
    """`mapDecisionResult` could not map the result, as Camunda 7 refuses it too."""


class FeelSyntaxError(DmnError):
    """FEEL text that does not parse; raised at deploy time by the lint.

    `position` is the 0-based character offset into `text` (or None when unknown),
    so the lint can point at the faulty character in a cell.
    """

    def __init__(
        self, message: str, text: str, position: int | None = None, where: str | None = None
    ) -> None:
        at = f" at position {position}" if position is not None else ""
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}{message}{at} in FEEL {text!r}")
        self.message = message
        self.text = text
        self.position = position
        self.where = where

    def located(self, where: str) -> FeelSyntaxError:
        """The same error, naming the DMN element (decision, rule, cell) it came from."""
        return FeelSyntaxError(self.message, self.text, self.position, where)


class FeelRuntimeError(DmnError):
    """FEEL that parsed but could not be evaluated (e.g. `date("31.02.2021")`).

    Most FEEL type mismatches evaluate to null instead (the FEEL rule); this is
    raised only where null would silently hide a modelling error.
    """
