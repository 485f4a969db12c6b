"""Definitions: deploy a bundle, read the versions of a process."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.runtime import definitions
from engine.service.base import ServiceBase


class DefinitionService(ServiceBase):
    def deploy(self, files: Mapping[str, bytes], *, actor: str | None = None
               ) -> definitions.DeployResult:
        with self.sessions.begin() as session:
            return definitions.deploy(session, files, actor=actor, now=self.clock.now(),
                                      handlers=self.runtime.handlers)

    def definition(self, key: str, version: int | None = None) -> Any:
        with self.readers() as session:
            return definitions.get(session, key, version)

    def definitions(self) -> list[Any]:
        with self.readers() as session:
            return definitions.list_latest(session)
