from tests.cases.conftest import agency, government, handler  # noqa: F401
