"""Migrations: move running cases of one process version to another (Camunda 7's batch).

Process owners and admins; the engine applies the same rule (`Engine.migrate` with
the caller). A dry run (the default) answers per case whether it can move and
what its tasks become, writing nothing; `"dry_run": false` moves every case that
can, each in its own transaction.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import ADMIN, PROCESS_OWNER, current_principal, require
from ..runtime import engine
from ..schemas.migrations import MigrationResultSchema, MigrationSchema

blp = Blueprint("migrations", __name__, url_prefix="/api/v1",
                description="Migrate running cases to another version of their process")


@blp.route("/migrations")
class Migrations(MethodView):
    @require(PROCESS_OWNER, ADMIN)
    @blp.arguments(MigrationSchema)
    @blp.response(200, MigrationResultSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Plan (`dry_run`, the default) or run the migration of a process's cases."""
        report = engine().migrate(
            args["process_key"], args["from_version"], args["to_version"],
            caller=current_principal(), activity_map=args["activity_map"],
            instance_ids=args["instance_ids"], dry_run=args["dry_run"])
        return report.as_dict()
