"""The coordinators' control room: stuck cases, a page per case, a page per process.

Static pages and small scripts over the public API: the pages hold no data and
no session; the coordinator's bearer token stays in the browser tab
(sessionStorage), so the control room has exactly the rights of the API and
nothing more. A strict Content-Security-Policy forbids inline script and foreign
origins; the scripts write every value as text, never as HTML.

The BPMN viewer (bpmn-js) and Swagger UI come from npm packages installed at
set-up (`make install` runs `npm ci` on the committed package-lock.json) and are
served from here, never from a CDN: cantonal networks often have no internet.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory

STATIC = "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
       "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

#: npm's install folder; CIIFLOW_NODE_MODULES points elsewhere for an installed package
NODE_MODULES = Path(os.environ.get("CIIFLOW_NODE_MODULES")
                    or Path(__file__).resolve().parents[1] / "node_modules")
#: the files each vendored package may serve (its dist folder, nothing else of node_modules)
VENDOR: dict[str, tuple[str, frozenset[str]]] = {
    "bpmn-js": ("bpmn-js/dist", frozenset({
        "bpmn-navigated-viewer.production.min.js", "assets/diagram-js.css",
        "assets/bpmn-js.css"})),
    "swagger-ui": ("swagger-ui-dist", frozenset({
        "swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
        "favicon-32x32.png", "favicon-16x16.png"})),
}
#: where flask-smorest's /api/docs page loads Swagger UI from (OPENAPI_SWAGGER_UI_URL)
SWAGGER_UI_URL = "/dashboard/vendor/swagger-ui/"

blp = Blueprint("dashboard", __name__, static_folder=STATIC,
                static_url_path="/dashboard/static")


def _page(name: str) -> Response:
    response = send_from_directory(blp.static_folder, name)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.get("/dashboard")
def dashboard() -> Response:
    return _page("dashboard.html")


@blp.get("/dashboard/cases/<string:instance_id>")
def case_page(instance_id: str) -> Response:
    """A case's page: the script reads the id from the address."""
    return _page("case.html")


@blp.get("/dashboard/processes")
@blp.get("/dashboard/processes/<string:key>")
def process_page(key: str | None = None) -> Response:
    """The processes, or one process's page (a version at a time, `?version=`): the script
    reads the key from the address."""
    return _page("process.html")


@blp.get("/dashboard/vendor/<string:package>/<path:name>")
def vendor(package: str, name: str) -> Response:
    """A file of an npm package's dist folder; 404 for anything not listed in `VENDOR`."""
    folder, files = VENDOR.get(package, ("", frozenset()))
    if name not in files:
        abort(404)
    response = send_from_directory(NODE_MODULES / folder, name, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.get("/favicon.ico")
def favicon() -> Response:
    """No icon, and no 404 in the browser's console for each page."""
    return Response(status=204)
