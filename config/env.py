"""Reading the environment for settings: every problem names its variable in one Chinese/English line.

Settings are imported before logging exists and from many entry points (manage.py, gunicorn, pytest, the
``gongkai`` command), so a bad value ends the process here with that one line and no traceback.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import NoReturn

BASE_DIR = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    def __init__(self, variable: str, zh: str, en: str) -> None:
        super().__init__(f"配置错误 {variable}：{zh} (configuration error {variable}: {en})")
        self.variable = variable


def fail(error: ConfigError) -> NoReturn:
    sys.stderr.write(f"{error}\n")
    raise SystemExit(2)


def get(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def require(name: str) -> str:
    value = get(name)
    if value is None:
        raise ConfigError(name, "未设置，生产环境必须设置", "not set; required in production")
    return value


def boolean(name: str, default: bool) -> bool:
    value = get(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(name, f"应为 true 或 false，实际为 {value!r}", f"expected true or false, got {value!r}")


def integer(name: str, default: int, *, minimum: int = 0) -> int:
    value = get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(name, f"应为整数，实际为 {value!r}", f"expected an integer, got {value!r}") from None
    if number < minimum:
        raise ConfigError(name, f"不得小于 {minimum}", f"must be at least {minimum}")
    return number


def choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = get(name, default)
    assert value is not None
    if value not in allowed:
        raise ConfigError(
            name,
            f"应为 {' / '.join(allowed)} 之一，实际为 {value!r}",
            f"expected one of {', '.join(allowed)}, got {value!r}",
        )
    return value


def csv_list(name: str, default: list[str]) -> list[str]:
    value = get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def generated_secret(path: Path, nbytes: int = 48) -> str:
    """A secret generated once into var/ so that the demo runs with no configuration.

    Never used in production: there the variable is required.
    """
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value
