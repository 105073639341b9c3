"""SQLite: the trigram table (``ddl.sqlite_create_trigrams``), filled from the bigram table's stored text
(``tokenize.trigram_columns``), so the index is complete when ``migrate`` ends. PostgreSQL: nothing (it answers
phrases through its GIN index and chunk checks)."""

from django.db import migrations

BATCH = 2000


def add_trigrams(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from gongkai.search.ddl import FTS3_TABLE, FTS_TABLE, sqlite_create_trigrams
    from gongkai.search.tokenize import trigram_columns

    schema_editor.execute(f"DROP TABLE IF EXISTS {FTS3_TABLE}")
    schema_editor.execute(sqlite_create_trigrams())
    last = -1
    with schema_editor.connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT rowid, title, doc_number, body, attachments, wh_key, facets FROM {FTS_TABLE} "  # noqa: S608
                "WHERE rowid > %s ORDER BY rowid LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            cursor.executemany(
                f"INSERT INTO {FTS3_TABLE} (rowid, title, doc_number, body, attachments, facets) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [(row[0], *trigram_columns(row[1:])) for row in rows],
            )
    schema_editor.execute(f"INSERT INTO {FTS3_TABLE} ({FTS3_TABLE}) VALUES ('optimize')")


def drop_trigrams(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts3")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_fts_facets")]

    operations = [migrations.RunPython(add_trigrams, drop_trigrams, elidable=False)]
