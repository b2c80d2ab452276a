import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0003_clinical_programmes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assignment",
            name="programme",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="assignments",
                                    to="mentoring.programme", verbose_name="programme"),
        ),
    ]
