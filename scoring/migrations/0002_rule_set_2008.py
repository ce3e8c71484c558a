from django.db import migrations

from scoring.rules import RULES_2008, SOURCE_2008


def create_2008(apps, schema_editor):
    RuleSet = apps.get_model("scoring", "RuleSet")
    RuleSet.objects.get_or_create(
        name="2008", defaults={"description": SOURCE_2008, "params": RULES_2008},
    )


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]
    operations = [migrations.RunPython(create_2008, migrations.RunPython.noop)]
