"""The migration data check (scripts/check_migration_data.py) as a test. It takes minutes
(the demo is built with the old code), so CI runs the script as a step of its own and this
test runs only when asked: RUN_MIGRATION_CHECK=1 pytest tests/lms/test_migration_data.py"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_migration_data.py"


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("RUN_MIGRATION_CHECK") != "1", reason="set RUN_MIGRATION_CHECK=1 (minutes)"
)
def test_moving_models_out_of_lms_loses_no_row():
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 unexpected differences" in result.stdout
