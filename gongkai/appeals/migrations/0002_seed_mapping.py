"""Seed the result → 表四 column mapping from codebook.DEFAULT_MAPPING (regulations.md §2.5); a deployment edits the rows
afterwards (staff page or `gongkai appeals_mapping`)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# Frozen here: the migration must keep seeding the mapping as it stood, whatever the codebook later says.
SEED = {
    "rc_upheld": "upheld",
    "rc_varied": "corrected",
    "rc_revoked": "corrected",
    "rc_illegal": "corrected",
    "rc_ordered": "corrected",
    "rc_void": "corrected",
    "rc_claim_dismissed": "other",
    "rc_application_dismissed": "other",
    "rc_not_accepted": "other",
    "rc_mediated": "other",
    "rc_terminated": "other",
    "lt_claim_dismissed": "upheld",
    "lt_revoked": "corrected",
    "lt_perform": "corrected",
    "lt_varied": "corrected",
    "lt_illegal": "corrected",
    "lt_void": "corrected",
    "lt_suit_dismissed": "other",
    "lt_withdrawn": "other",
    "lt_mediated": "other",
    "lt_appeal_dismissed": "upheld",
    "lt_remanded": "other",
}


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    mapping = apps.get_model("appeals", "ResultMapping")
    existing = set(mapping.objects.values_list("result", flat=True))
    mapping.objects.bulk_create(
        [mapping(result=result, column=column) for result, column in SEED.items() if result not in existing]
    )


def unseed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("appeals", "ResultMapping").objects.filter(result__in=list(SEED)).delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
