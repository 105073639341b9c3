from django.db import migrations, models


def create_index_table(apps, schema_editor):
    # The index table is vendor-specific (FTS5 virtual table / tsvector + GIN); its DDL lives next to the backend.
    from gongkai.search.ddl import CREATE

    for sql in CREATE.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def drop_index_table(apps, schema_editor):
    from gongkai.search.ddl import DROP

    for sql in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("publications", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndexEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("publication_id", models.BigIntegerField(unique=True, verbose_name="信息ID")),
                ("version", models.DateTimeField(verbose_name="索引的版本")),
                ("indexed_at", models.DateTimeField(auto_now=True, verbose_name="索引时间")),
            ],
            options={"verbose_name": "索引记录", "verbose_name_plural": "索引记录"},
        ),
        migrations.CreateModel(
            name="IndexOutbox",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("publication_id", models.BigIntegerField(verbose_name="信息ID")),
                (
                    "op",
                    models.CharField(
                        choices=[("index", "索引"), ("delete", "删除")], default="index", max_length=8, verbose_name="操作"
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=60, verbose_name="原因")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="写入时间")),
                ("processed_at", models.DateTimeField(blank=True, null=True, verbose_name="处理时间")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="尝试次数")),
                ("error", models.CharField(blank=True, max_length=500, verbose_name="错误信息")),
            ],
            options={
                "verbose_name": "索引待办",
                "verbose_name_plural": "索引待办",
                "indexes": [models.Index(fields=["processed_at", "id"], name="search_outbox_pending")],
            },
        ),
        migrations.RunPython(create_index_table, drop_index_table, elidable=False),
    ]
