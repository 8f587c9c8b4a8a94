"""Employee numbers are unique per top-level organisation, not platform-wide (decision 0032):
the schema. 0006 fills in the organisations (a separate migration: on PostgreSQL, rows
updated with a deferred foreign key check block a later ALTER TABLE in one transaction).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0004_unit_type"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="learnerprofile",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                limit_choices_to={"depth": 1},
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="org.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="is_unplaced",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AlterField(
            model_name="learnerprofile",
            name="employee_number",
            field=models.CharField(
                blank=True, max_length=64, null=True, verbose_name="employee number"
            ),
        ),
        migrations.AddConstraint(
            model_name="learnerprofile",
            constraint=models.UniqueConstraint(
                fields=("organisation", "employee_number"),
                name="org_profile_unique_employee_number",
            ),
        ),
    ]
