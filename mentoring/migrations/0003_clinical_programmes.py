"""Every department gets its classic clinical programme; every existing assignment belongs to it.

The column becomes required in 0004: on PostgreSQL a table cannot be altered in the transaction that
just wrote rows with deferred foreign-key checks ("pending trigger events")."""

from django.db import migrations


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
    ]
