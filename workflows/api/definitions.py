"""Definitions: deploy a bundle of BPMN/DMN files, list them, read one version's XML."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from engine.camunda.bindings import FILENAMES as BINDINGS_FILES
from engine.camunda.form_input import describe

from ..auth import ADMIN, COORDINATOR, INSTITUTION, PROCESS_OWNER, current_principal, require
from ..languages import ACCEPT_LANGUAGE, answer_language, say_language
from ..problems import ApiProblem
from ..runtime import MAX_ID, api_link, engine
from ..schemas.definitions import (
    DecisionListSchema,
    DefinitionListSchema,
    DefinitionSchema,
    DefinitionVersionSchema,
    DeployFilesSchema,
    DeployQuerySchema,
    DeployResultSchema,
)

blp = Blueprint("definitions", __name__, url_prefix="/api/v1",
                description="Process definitions (process owners deploy, everyone reads)")
blp.after_request(say_language)

READERS = (INSTITUTION, COORDINATOR, PROCESS_OWNER, ADMIN)
SUFFIXES = (".bpmn", ".dmn", ".xml")


def multipart_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """415 for anything but multipart/form-data, before the body is parsed."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.mimetype != "multipart/form-data":
            raise ApiProblem(415, "send the files as multipart/form-data (field 'files')")
        return view(*args, **kwargs)

    wrapper.__dict__.update(view.__dict__)
    wrapper.__name__, wrapper.__doc__ = view.__name__, view.__doc__
    return wrapper


def summary(row: Any) -> dict[str, Any]:
    """A `Definition` of the engine as the API lists it."""
    return {"key": row.key, "version": row.version, "name": row.name,
            "deployed_at": row.deployed_at, "deployed_by": row.deployed_by,
            "resource_names": sorted(row.resources),
            "link": api_link(f"/definitions/{row.key}/versions/{row.version}")}


@blp.route("/definitions")
class Definitions(MethodView):
    @require(*READERS)
    @blp.response(200, DefinitionListSchema)
    def get(self) -> dict[str, Any]:
        """The latest version of every process."""
        return {"items": [summary(d) for d in engine().definitions()]}

    @require(PROCESS_OWNER)
    @multipart_only
    @blp.arguments(DeployQuerySchema, location="query")
    @blp.arguments(DeployFilesSchema, location="files")
    @blp.response(201, DeployResultSchema)
    @blp.alt_response(200, schema=DeployResultSchema, description="a dry run: nothing stored")
    def post(self, query: dict[str, Any], args: dict[str, Any]) -> Any:
        """Deploy one bundle; 422 with the lint findings when it is refused.

        `?dry_run=true` lints the bundle and answers which processes and decisions
        would get a new version and which are unchanged (200), storing nothing."""
        files: dict[str, bytes] = {}
        for upload in request.files.getlist("files"):
            name = (upload.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
            if not name.lower().endswith(SUFFIXES) and name.lower() not in BINDINGS_FILES:
                raise ApiProblem(422, "only .bpmn, .dmn and bindings.yaml files can be deployed",
                                 errors={"files": [f"{name or '(no name)'}: not .bpmn/.dmn"]})
            if name in files:
                raise ApiProblem(422, "two files have the same name",
                                 errors={"files": [f"{name}: given twice"]})
            files[name] = upload.read()
        if not files:
            raise ApiProblem(422, "no file given", errors={"files": ["no file given"]})
        result = engine().deploy(files, actor=current_principal().name,
                                 dry_run=query["dry_run"])
        body = {
            "definitions": [{"key": d.key, "version": d.version, "created": d.created,
                             "link": api_link(f"/definitions/{d.key}/versions/{d.version}")}
                            for d in result.definitions],
            "decisions": [{"key": d.key, "version": d.version, "version_tag": d.version_tag,
                           "resource": d.resource, "created": d.created}
                          for d in result.decisions],
            "findings": [{"severity": f.severity, "file": f.file, "element_id": f.element_id,
                          "element_name": f.element_name, "message": f.message}
                         for f in result.findings],
            "dry_run": result.dry_run,
        }
        return (body, 200) if result.dry_run else body


@blp.route("/definitions/<string:key>")
class DefinitionVersions(MethodView):
    @require(*READERS)
    @blp.response(200, DefinitionListSchema)
    def get(self, key: str) -> dict[str, Any]:
        """Every version of one process, oldest first."""
        return {"items": [summary(d) for d in engine().definition_versions(key)]}


@blp.route("/definitions/<string:key>/versions/<int:version>")
class DefinitionVersion(MethodView):
    @require(*READERS)
    @blp.response(200, DefinitionVersionSchema)
    @blp.doc(parameters=[ACCEPT_LANGUAGE])
    def get(self, key: str, version: int) -> dict[str, Any]:
        """One version with the XML it was built from."""
        if version > MAX_ID:
            raise ApiProblem(404, f"no definition {key} version {version}")
        found = engine().definition_version(key, version, language=answer_language())
        row = found.definition
        return {**summary(row), "bpmn_resource": row.bpmn_resource,
                "resources": dict(row.resources), "start_form": describe(found.start_form, {})}


def decision_summary(row: Any) -> dict[str, Any]:
    return {"key": row.key, "version": row.version, "version_tag": row.version_tag,
            "name": row.name, "resource": row.resource, "deployed_at": row.deployed_at,
            "deployed_by": row.deployed_by}


@blp.route("/decisions")
class Decisions(MethodView):
    @require(*READERS)
    @blp.response(200, DecisionListSchema)
    def get(self) -> dict[str, Any]:
        """Every deployed version of every decision (what `decisionRefBinding` resolves)."""
        return {"items": [decision_summary(d) for d in engine().decision_versions()]}


@blp.route("/decisions/<string:key>")
class DecisionVersions(MethodView):
    @require(*READERS)
    @blp.response(200, DecisionListSchema)
    def get(self, key: str) -> dict[str, Any]:
        """Every version of one decision, oldest first; 404 when none was deployed."""
        rows = engine().decision_versions(key)
        if not rows:
            raise ApiProblem(404, f"no decision {key}")
        return {"items": [decision_summary(d) for d in rows]}


__all__ = ["blp", "DefinitionSchema"]
