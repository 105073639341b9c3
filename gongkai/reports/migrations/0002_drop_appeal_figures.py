"""表四 is counted from the tracked appeals (gongkai.appeals): the hand-entered figures are gone, so that 表四 has one
source of truth."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.DeleteModel(name="AppealFigures")]
