"""Definitions: check and deploy a bundle, read the versions of a process.

`lint` and `deploy` run the same checks, so what a process owner's terminal
or CI accepts is what the server takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.camunda.form_input import start_form
from engine.camunda.forms import FormField
from engine.camunda.translations import translate_form
from engine.errors import Finding, NotFound
from engine.lint import Known
from engine.runtime import decisions, definitions
from engine.service.base import ServiceBase
from engine.store.models import DecisionDefinition, Definition
from engine.store.principals import Principal, PrincipalGroup


@dataclass(frozen=True)
class DefinitionVersion:
    definition: Definition
    #: the fields of the none start event's `camunda:formData` (empty without a form)
    start_form: list[FormField]


class DefinitionService(ServiceBase):
    def deploy(self, files: Mapping[str, bytes], *, actor: str | None = None,
               dry_run: bool = False) -> definitions.DeployResult:
        """Store the bundle's changed processes and decisions as new versions;
        `DefinitionRefused` if not. A dry run answers the same plan in a read-only
        transaction that is rolled back: nothing is written."""
        if dry_run:
            with self.readers() as session:
                try:
                    return definitions.deploy(session, files, actor=actor, now=self.clock.now(),
                                              handlers=self.runtime.handlers, dry_run=True,
                                              known=self._known(session))
                finally:
                    session.rollback()
        with self.sessions.begin() as session:
            return definitions.deploy(session, files, actor=actor, now=self.clock.now(),
                                      handlers=self.runtime.handlers,
                                      known=self._known(session))

    def _known(self, session: Session | None = None) -> Known:
        """What the lint checks names against: the directory and the handlers, and at
        deploy (`session`) the groups and worker topics of the enabled principals."""
        directory = getattr(self, "directory", None)
        if session is None:
            return Known(directory=directory, handlers=self.runtime.handlers)
        holders = select(Principal.id).where(Principal.disabled_at.is_(None))
        groups = session.scalars(select(PrincipalGroup.group_id)
                                 .where(PrincipalGroup.principal_id.in_(holders))).all()
        topics = session.scalars(select(Principal.topics).where(
            Principal.disabled_at.is_(None), Principal.role == "worker")).all()
        return Known(directory=directory, handlers=self.runtime.handlers,
                     principal_groups=frozenset(groups),
                     worker_topics=frozenset(t for row in topics for t in row or ()))

    def decision_versions(self, key: str | None = None) -> list[DecisionDefinition]:
        """Every stored version of decision `key` (or of every decision), oldest first."""
        with self.readers() as session:
            return decisions.versions(session, key)

    def lint(self, files: Mapping[str, bytes]) -> list[Finding]:
        """Every finding deploy would give these files; nothing is stored."""
        with self.readers() as session:  # call activities resolve against the store
            return definitions.check(files, self.runtime.handlers, self._known(),
                                     session=session)

    def definition(self, key: str, version: int | None = None) -> Definition:
        """One version (the latest by default) with the XML resources it was built from."""
        with self.readers() as session:
            return definitions.get(session, key, version)

    def definition_version(self, key: str, version: int | None = None,
                           language: str | None = None) -> DefinitionVersion:
        """One version with its XML resources and the form a case of it starts with
        (its labels and enum names in `language`: fr, de, en)."""
        row = self.definition(key, version)
        return DefinitionVersion(row, translate_form(start_form(row), language))

    def definitions(self) -> list[Definition]:
        """The latest version of every process, by key."""
        with self.readers() as session:
            return definitions.list_latest(session)

    def definition_versions(self, key: str) -> list[Definition]:
        """Every version of one process, oldest first; `NotFound` when none was deployed."""
        with self.readers() as session:
            rows = definitions.list_versions(session, key)
        if not rows:
            raise NotFound(f"no definition {key}")
        return rows
