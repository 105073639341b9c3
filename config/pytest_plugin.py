"""Loaded by pytest before Django is configured (``-p config.pytest_plugin``): selects the test profile."""

import os

os.environ.setdefault("GONGKAI_ENV", "test")
