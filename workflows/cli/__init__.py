"""`ciiflow`: the command line of the service, one module per area.

Each command parses its arguments, calls one operation of the engine and
prints the answer, exactly as the matching API endpoint does.
"""

from . import (  # noqa: F401  (commands)
    batches,
    cases,
    conditions,
    definitions,
    history,
    migrate,
    oversight,
    principals,
    privacy,
    processes,
    signals,
    webhooks,
)
from .root import main

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    main()
