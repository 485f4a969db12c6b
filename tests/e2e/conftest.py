"""End to end runs the service as it is deployed: the engine has the CII handlers."""

from __future__ import annotations

import pytest

from engine import Engine


@pytest.fixture
def engine(cii_engine: Engine) -> Engine:
    return cii_engine
