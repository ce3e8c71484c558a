"""Adoptions and instructions carry a copy of their item's unit and unit count (scoring reads them without
joining the items); an index for each special request's earliest answers."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_owners(apps, schema_editor):
    Submission = apps.get_model("submissions", "Submission")
    item = Submission.objects.filter(pk=OuterRef("submission_id"))
    for name in ("Adoption", "LeaderInstruction"):
        apps.get_model("submissions", name).objects.update(
            unit_id=Subquery(item.values("unit_id")), unit_count=Subquery(item.values("unit_count"))
        )


def owner_fields(null: bool) -> list:
    operations = []
    for model in ("adoption", "leaderinstruction"):
        operations += [
            (model, "unit", models.ForeignKey(
                editable=False, null=null, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="units.unit", verbose_name="报送单位",
            )),
            (model, "unit_count", models.PositiveSmallIntegerField(editable=False, null=null)),
        ]
    return operations


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0002_form_token"),
        ("units", "0001_initial"),
    ]

    operations = [
        *(migrations.AddField(model, name, field) for model, name, field in owner_fields(null=True)),
        migrations.RunPython(copy_owners, migrations.RunPython.noop),
        *(migrations.AlterField(model, name, field) for model, name, field in owner_fields(null=False)),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                condition=models.Q(("special_request__isnull", False)),
                fields=["special_request", "unit", "submitted_at"],
                name="submission_answer_idx",
            ),
        ),
    ]
