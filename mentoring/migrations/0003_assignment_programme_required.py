"""Every department gets its classic clinical programme; every existing assignment belongs to it."""

import django.db.models.deletion
from django.db import migrations, models


def clinical_programmes(apps, schema_editor):
    Department = apps.get_model("organization", "Department")
    Programme = apps.get_model("mentoring", "Programme")
    Assignment = apps.get_model("mentoring", "Assignment")
    for department in Department.objects.all():
        programme, _ = Programme.objects.get_or_create(
            department=department, kind="clinical", defaults={"name": "Clinical mentoring"})
        Assignment.objects.filter(resident__specialty__department=department, programme__isnull=True).update(
            programme=programme, kind="clinical")


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0002_programmes_meetings_goals_speed"),
    ]

    operations = [
        migrations.RunPython(clinical_programmes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="assignment",
            name="programme",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="assignments",
                                    to="mentoring.programme", verbose_name="programme"),
        ),
    ]
