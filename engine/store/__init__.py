"""Storage: every table of the engine, the database set-up and the read queries.

Importing the package registers all of the engine's tables on `Base.metadata`
(migrations and tests build the schema from it). Nothing here imports the
runtime: a query answers from the read-model tables the runtime keeps.
"""

from . import access_log, principals  # noqa: F401  (their tables join the schema)
from .models import Base

__all__ = ["Base"]
