import django.db.models.deletion
from django.db import migrations, models


def copy_unit_rows(apps, schema_editor):
    version_model = apps.get_model("bulletins", "BulletinVersion")
    row_model = apps.get_model("bulletins", "BulletinUnitRow")
    for version in version_model.objects.iterator(chunk_size=20):
        row_model.objects.bulk_create(
            row_model(version=version, unit_id=row["unit_id"], row=row)
            for row in version.data.get("units", []) if row.get("unit_id")
        )


class Migration(migrations.Migration):

    dependencies = [
        ('bulletins', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='BulletinUnitRow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('unit_id', models.BigIntegerField(verbose_name='单位')),
                ('row', models.JSONField(verbose_name='通报中的本单位数据')),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='unit_rows', to='bulletins.bulletinversion')),
            ],
            options={
                'verbose_name': '通报单位数据',
                'verbose_name_plural': '通报单位数据',
                'constraints': [models.UniqueConstraint(fields=('unit_id', 'version'), name='bulletin_unit_row_once')],
            },
        ),
        migrations.RunPython(copy_unit_rows, migrations.RunPython.noop),
    ]
