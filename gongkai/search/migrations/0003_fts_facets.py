"""SQLite: rebuild the FTS5 table with the ``facets`` column (``ddl.sqlite_create``): the filter tokens of each
publication (``tokenize.facet_tokens``), so that FTS5 applies a search's agency / year / category / validity filter
inside the MATCH.

The indexed text is copied as it is (the ``IndexEntry`` versions stay true) and the facets are computed from the
catalogue as it is now, so the index is complete when ``migrate`` ends: no ``search rebuild`` is needed, and pending
outbox rows are applied as usual. Like 0002 it rewrites the whole index (FTS5 cannot add a column): expect about
as long as the last ``search rebuild`` took, minus reading the catalogue text.
"""

from django.db import migrations

BATCH = 5000


def add_facets(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from gongkai.search.ddl import FTS_TABLE, sqlite_create
    from gongkai.search.tokenize import facet_tokens

    publication = apps.get_model("publications", "Publication")
    facets = f"{FTS_TABLE}_facets_new"
    schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}_new")
    schema_editor.execute(f"DROP TABLE IF EXISTS {facets}")
    schema_editor.execute(sqlite_create(f"{FTS_TABLE}_new"))
    schema_editor.execute(f"CREATE TEMP TABLE {facets} (id INTEGER PRIMARY KEY, facets TEXT NOT NULL)")
    rows = publication.objects.order_by("pk").values_list("pk", "agency_id", "published_on", "category", "validity")
    batch = []
    with schema_editor.connection.cursor() as cursor:
        for pk, agency_id, published_on, category, validity in rows.iterator(chunk_size=BATCH):
            tokens = facet_tokens(
                agency_id=agency_id, published_on=published_on, category=category or "", validity=validity or ""
            )
            batch.append((pk, tokens))
            if len(batch) >= BATCH:
                cursor.executemany(f"INSERT INTO {facets} (id, facets) VALUES (%s, %s)", batch)  # noqa: S608
                batch = []
        if batch:
            cursor.executemany(f"INSERT INTO {facets} (id, facets) VALUES (%s, %s)", batch)  # noqa: S608
    # A row whose publication is gone gets no filter token: no filtered search finds it, and ``search sync``
    # removes it as it would have before.
    schema_editor.execute(
        f"INSERT INTO {FTS_TABLE}_new (rowid, title, doc_number, body, attachments, wh_key, facets) "  # noqa: S608
        f"SELECT f.rowid, f.title, f.doc_number, f.body, f.attachments, f.wh_key, coalesce(t.facets, '') "
        f"FROM {FTS_TABLE} f LEFT JOIN {facets} t ON t.id = f.rowid ORDER BY f.rowid"
    )
    schema_editor.execute(f"INSERT INTO {FTS_TABLE}_new ({FTS_TABLE}_new) VALUES ('optimize')")
    schema_editor.execute(f"DROP TABLE {facets}")
    schema_editor.execute(f"DROP TABLE {FTS_TABLE}")
    schema_editor.execute(f"ALTER TABLE {FTS_TABLE}_new RENAME TO {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fts_prefix_index")]

    operations = [migrations.RunPython(add_facets, migrations.RunPython.noop, elidable=False)]
