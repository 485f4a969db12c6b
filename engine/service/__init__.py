"""The service layer: every use case of ciiflow, written once, behind the `Engine` facade.

A Flask blueprint or a CLI command parses its input, calls one operation and
shapes the answer; it never opens a session or writes a query. Each module
here holds the operations of one area (definitions, instances, tasks, incidents,
messages, external tasks, oversight, principals) as a mixin of `Engine`, so the
facade stays one object for its callers and each area stays one small file.
Operations take a `Caller` when what they return or allow depends on who asks.
"""

from .caller import Caller
from .paging import Page

__all__ = ["Caller", "Page"]
