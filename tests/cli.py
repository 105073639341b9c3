"""Running the real ``gongkai`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

GONGKAI = str(Path(sys.executable).with_name("gongkai"))


def run_gongkai(
    *args: str, env: dict[str, str] | None = None, input: str | None = None, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {key: value for key, value in os.environ.items() if not key.startswith("GONGKAI_")}
    full_env.update(env or {})
    return subprocess.run(
        [GONGKAI, *args], capture_output=True, text=True, env=full_env, input=input, timeout=timeout, check=False
    )
