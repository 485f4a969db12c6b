"""The Flask application factory: one engine, the API blueprints, problem errors.

`gunicorn -c python:workflows.gunicorn_conf 'workflows.app:create_app()'` (behind nginx,
see docs/production.md) runs it in production: each worker
builds its own engine (connection pool) from `CIIFLOW_DATABASE_URL`; the
database is the only state the workers share.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from flask_smorest import Api
from sqlalchemy import Engine as SqlEngine

from engine import Engine
from engine.config import Settings
from engine.store.db import make_engine
from webhooks.health import require_key

from . import bodies, logs, metrics, problems
from .api import BLUEPRINTS
from .api.health import healthz
from .cii import service_handlers
from .cii.calendars import directory_calendars, directory_data
from .dashboard import SWAGGER_UI_URL
from .dashboard import blp as dashboard
from .runtime import EXTENSION, install_webhooks

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
POOL_SIZE_SETTING = "CIIFLOW_DB_POOL_SIZE"


class ProblemApi(Api):
    """flask-smorest's Api answering errors as application/problem+json."""

    def handle_http_exception(self, error: Any) -> Any:  # noqa: D102
        return problems.handle_http_exception(error)


def _defaults() -> dict[str, Any]:
    return {
        "API_TITLE": "ciiflow",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        # served from the npm package installed at set-up: no CDN (workflows.dashboard)
        "OPENAPI_SWAGGER_UI_URL": SWAGGER_UI_URL,
        "MAX_CONTENT_LENGTH": int(os.environ.get("CIIFLOW_MAX_BODY_BYTES",
                                                 DEFAULT_MAX_BODY_BYTES)),
        "API_SPEC_OPTIONS": {
            "info": {"description": "Case routing for the CII Valais. Authenticate with "
                                    "`Authorization: Bearer <token>`; errors are "
                                    "application/problem+json (RFC 9457)."},
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
        "JSON_SORT_KEYS": False,
    }


def _database(url: str) -> SqlEngine:
    """The worker's connection pool, as large as its threads when gunicorn says how many
    (`CIIFLOW_DB_POOL_SIZE`, set by workflows/gunicorn_conf.py): SQLAlchemy keeps 5
    connections by default and closes any above them when it is returned, so a sixth
    concurrent request opened a new PostgreSQL connection (a server process) each time."""
    size = os.environ.get(POOL_SIZE_SETTING)
    return make_engine(url, **({"pool_size": int(size)} if size else {}))


def create_app(config: dict[str, Any] | None = None, engine: Engine | None = None) -> Flask:
    """Build the service; pass an `engine` (tests) or let it connect from the environment.

    An engine built here runs the CII handlers and those of `CIIFLOW_HANDLER_MODULES`.
    """
    app = Flask(__name__)
    app.config.update(_defaults())
    app.config.update(config or {})
    if engine is None:
        url = app.config.get("DATABASE_URL") or Settings.from_env().database_url
        engine = Engine(_database(url), handlers=service_handlers(),
                        calendars=directory_calendars(), directory=directory_data())
    install_webhooks(engine)
    require_key(engine)  # stored webhook secrets that do not open: refuse to start
    app.extensions[EXTENSION] = engine
    logs.install(app)  # first: a request refused by a later hook has its id too
    metrics.install(app, engine)
    api = ProblemApi(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    problems.install(app)
    bodies.install(app)
    app.register_blueprint(dashboard)
    app.add_url_rule("/healthz", "healthz_alias", healthz)
    return app
