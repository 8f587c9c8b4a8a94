"""Ralph's LRS, started once per test session like a database server (tests/lrs.py)."""

from __future__ import annotations

import pytest

from tests.lrs import start_lrs


@pytest.fixture(scope="session")
def lrs(tmp_path_factory):
    server = start_lrs(tmp_path_factory.mktemp("ralph"))
    try:
        yield server
    finally:
        server.stop()
