"""The ``gongkai`` command.

    gongkai demo [--no-serve] [--host H] [--port P]   migrate, load the demo data, serve
    gongkai serve [--host H] [--port P] [--workers N]  serve with gunicorn (static files by WhiteNoise)
    gongkai manage …                                   Django's manage.py
    gongkai audit verify                               any other word is a Gongkai management command

Errors end with one line on stderr and a non-zero status, never a traceback: status 2 for bad input or
configuration, 1 for a check that found problems.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _database_problem(error: BaseException) -> str:
    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return f"无法访问数据库，请检查 GONGKAI_DATABASE_URL 与数据库服务 (database unreachable or misconfigured): {first}"


def _run(argv: Sequence[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], list(argv[1:])
    if command == "--version":
        from gongkai import __version__

        print(__version__)
        return 0
    if command == "manage":
        _setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["gongkai manage", *rest])
        return 0
    if command == "demo":
        return _demo(rest)
    if command == "serve":
        return _serve(rest)
    _setup()
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    if command not in commands or not commands[command].startswith("gongkai"):
        sys.stderr.write(f"未知命令：{command}（运行 gongkai --help 查看可用命令）\n")
        return 2
    handler = load_command_class(commands[command], command)
    parser = handler.create_parser("gongkai", command)
    from django.core.management import CommandError

    try:
        options = vars(parser.parse_args(rest))
    except CommandError as error:  # Django's parser raises "Error: …" with status 1; bad arguments are bad input
        detail = str(error).removeprefix("Error: ").splitlines()[0]
        raise CommandError(
            f"命令行参数错误：{detail}（运行 gongkai {command} --help 查看用法）", returncode=2
        ) from None
    args = options.pop("args", ())
    handler.execute(*args, **options)
    return int(getattr(handler, "exit_code", 0) or 0)


def _address_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--workers", type=int, default=2)
    return parser


def _demo(argv: list[str]) -> int:
    parser = _address_parser("gongkai demo")
    parser.add_argument("--no-serve", action="store_true", help="只导入演示数据，不启动服务")
    options = parser.parse_args(argv)
    _setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo")
    if options.no_serve:
        return 0
    return _serve_now(options.host, options.port, options.workers)


def _serve(argv: list[str]) -> int:
    options = _address_parser("gongkai serve").parse_args(argv)
    _setup()
    return _serve_now(options.host, options.port, options.workers)


def _serve_now(host: str, port: int, workers: int) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    connection.ensure_connection()  # fail here, in one line, rather than on the first request
    connection.close()
    if settings.PRODUCTION:
        call_command("collectstatic", interactive=False, verbosity=0)
    base = f"http://{host}:{port}"
    print(f"门户网站 (portal):      {base}/")
    print(f"工作人员后台 (staff):   {base}/staff/")
    sys.stdout.flush()

    from gunicorn.app.base import BaseApplication

    from config.wsgi import application

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", 4)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 60)

        def load(self) -> object:
            return application

    Server().run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        return _run(arguments)
    except KeyboardInterrupt:
        return 130
    except SystemExit as stop:  # a command's argparse --help/-h (status 0): main returns its status, as everywhere
        if isinstance(stop.code, str):
            sys.stderr.write(f"{stop.code}\n")
            return 2
        return int(stop.code or 0)
    except Exception as error:  # the one place that turns failures into one line
        from django.core.exceptions import ImproperlyConfigured
        from django.core.management import CommandError
        from django.db import InterfaceError, OperationalError

        if isinstance(error, CommandError):
            sys.stderr.write(f"{error}\n")
            return int(error.returncode)
        if isinstance(error, OperationalError | InterfaceError):
            sys.stderr.write(_database_problem(error) + "\n")
            return 2
        if isinstance(error, ImproperlyConfigured):
            sys.stderr.write(f"配置错误 (configuration error): {error}\n")
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
