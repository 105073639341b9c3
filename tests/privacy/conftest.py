"""The case world of tests/cases (a department with a handler), the 主管部门 world of tests/rectification, and uploads
kept in a temporary media root."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cases.conftest import agency, government, handler, head  # noqa: F401 — fixtures reused
from tests.rectification.conftest import world  # noqa: F401 — fixture reused (an office supervising departments)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root
