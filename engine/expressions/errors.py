"""Errors of the expression language, written for the process owner who drew the file.

`ExpressionSyntaxError` also derives from Python's `SyntaxError` because
SpiffWorkflow's own code (e.g. `DMNEngine.needs_eq`) calls
`script_engine.validate()` and expects exactly that type when a text does not
parse; deriving keeps the library's control flow intact with our engine.
"""

from __future__ import annotations


class ExpressionError(Exception):
    """Base of every error raised by `engine.expressions`."""


class ExpressionSyntaxError(ExpressionError, SyntaxError):
    """The text is not a valid expression; found at deploy time, never run.

    `position` is the 0-based offset of the fault in the *whole* text given
    (so the lint can underline it); the message counts columns from 1, as
    people do.
    """

    def __init__(self, message: str, text: str, position: int) -> None:
        Exception.__init__(self, message)
        self.message = message
        self.msg = message  # what traceback printing of a SyntaxError shows
        self.text = text
        self.position = position

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type, tuple[str, str, int]]:
        return (type(self), (self.message, self.text, self.position))


class ExpressionRuntimeError(ExpressionError):
    """A valid expression that cannot be computed on this case's data.

    `expression` is filled in by the outermost compiled field, so the message
    of an incident always names the text at fault.
    """

    def __init__(self, message: str, expression: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.expression = expression

    def __str__(self) -> str:
        if self.expression is None:
            return self.message
        return f"{self.message} (in {self.expression!r})"

    def __reduce__(self) -> tuple[type, tuple[str, str | None]]:
        return (type(self), (self.message, self.expression))


class MissingVariable(ExpressionRuntimeError):
    """A variable the expression reads is not in the case data.

    Kept distinct so the engine can tell an incident "field X was never
    filled" apart from a type error.
    """

    def __init__(self, name: str, expression: str | None = None) -> None:
        self.name = name
        super().__init__(f"variable '{name}' is not defined", expression)

    def __reduce__(self) -> tuple[type, tuple[str, str | None]]:
        return (type(self), (self.name, self.expression))
