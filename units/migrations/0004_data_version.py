import uuid

from django.db import migrations, models


def first_token(apps, schema_editor):
    apps.get_model("units", "DataVersion").objects.create(pk=1, token=uuid.uuid4().hex)


class Migration(migrations.Migration):

    dependencies = [
        ('units', '0003_edit_versions'),
    ]

    operations = [
        migrations.CreateModel(
            name='DataVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(max_length=32, verbose_name='数据版本')),
            ],
            options={
                'verbose_name': '数据版本',
                'verbose_name_plural': '数据版本',
            },
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
    ]
