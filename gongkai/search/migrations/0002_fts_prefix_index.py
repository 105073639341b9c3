"""SQLite: rebuild the FTS5 table with a 1-character prefix index (``ddl.sqlite_create``), keeping its rows."""

from django.db import migrations


def add_prefix_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from gongkai.search.ddl import FTS_TABLE, sqlite_create

    columns = "title, doc_number, body, attachments, wh_key"
    schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}_new")
    schema_editor.execute(sqlite_create(f"{FTS_TABLE}_new"))
    schema_editor.execute(
        f"INSERT INTO {FTS_TABLE}_new (rowid, {columns}) SELECT rowid, {columns} FROM {FTS_TABLE}"  # noqa: S608
    )
    schema_editor.execute(f"INSERT INTO {FTS_TABLE}_new ({FTS_TABLE}_new) VALUES ('optimize')")
    schema_editor.execute(f"DROP TABLE {FTS_TABLE}")
    schema_editor.execute(f"ALTER TABLE {FTS_TABLE}_new RENAME TO {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(add_prefix_index, migrations.RunPython.noop, elidable=False)]
