"""One `Model` per BPMN file of ``bpmn/``, for the tests that check every file alike."""

from __future__ import annotations

import pytest

from tests.bpmn.model import BPMN_FILES, Model


@pytest.fixture(scope="module", params=BPMN_FILES, ids=lambda p: p.name)
def model(request: pytest.FixtureRequest) -> Model:
    return Model(request.param)
