"""Exit 0 when the PostgreSQL server of the URL answers within a few seconds, 1 otherwise (used by `make test`)."""

from __future__ import annotations

import sys

import dj_database_url
import psycopg


def main(url: str) -> int:
    config = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            host=config.get("HOST") or "127.0.0.1",
            port=int(config.get("PORT") or 5432),
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            dbname=config.get("NAME") or "postgres",
            connect_timeout=3,
        ):
            return 0
    except psycopg.Error as error:
        print(
            f"PostgreSQL 不可用 (unreachable): {str(error).splitlines()[0] if str(error) else error}", file=sys.stderr
        )
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
