"""The coordinators' dashboard: which cases are stuck, where, since when and why.

One static page and a small script over the public API (`/api/v1/stuck`,
`/api/v1/incidents`): the page holds no data and no session; the coordinator's
bearer token stays in the browser tab (sessionStorage), so the dashboard has
exactly the rights of the API and nothing more. A strict Content-Security-Policy
forbids inline script and foreign origins; the script writes every value as
text, never as HTML.
"""

from __future__ import annotations

from flask import Blueprint, Response, send_from_directory

STATIC = "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
       "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

blp = Blueprint("dashboard", __name__, static_folder=STATIC,
                static_url_path="/dashboard/static")


@blp.get("/dashboard")
def dashboard() -> Response:
    response = send_from_directory(blp.static_folder, "dashboard.html")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
