"""The code reads as STYLE.md says: ruff's lint and format both pass."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_passes(command):
    ruff = shutil.which("ruff")
    assert ruff, "ruff is missing: pip install -e '.[dev]'"

    result = subprocess.run(
        [ruff, *command, "."], cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stdout + result.stderr
