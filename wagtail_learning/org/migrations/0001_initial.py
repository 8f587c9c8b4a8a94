"""The organisation models move here from `lms` (decision 0004): state only, the tables
keep their names and rows, and the content types (with their permissions and audit-log
entries) follow the models."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = [
    ("organization", "organisation"),
    ("learnerprofile", "learnerprofile"),
    ("membership", "membership"),
    ("reportingscope", "reportingscope"),
]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old, new in MOVED:
        if not ContentType.objects.filter(app_label="org", model=new).exists():
            ContentType.objects.filter(app_label="lms", model=old).update(
                app_label="org", model=new
            )


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old, new in MOVED:
        ContentType.objects.filter(app_label="org", model=new).update(app_label="lms", model=old)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("lms", "0005_import_staff_permission"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Organisation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('path', models.CharField(max_length=255, unique=True)),
                        ('depth', models.PositiveIntegerField()),
                        ('numchild', models.PositiveIntegerField(default=0)),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('code', models.CharField(blank=True, help_text='From the HR system.', max_length=64, verbose_name='code')),
                    ],
                    options={
                        'verbose_name': 'organisation unit',
                        'verbose_name_plural': 'organisation units',
                        'db_table': 'lms_organization',
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lms_memberships', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='org.organisation')),
                    ],
                    options={
                        'verbose_name': 'unit membership',
                        'db_table': 'lms_membership',
                        'constraints': [models.UniqueConstraint(fields=('user', 'unit'), name='lms_membership_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='LearnerProfile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('employee_number', models.CharField(blank=True, max_length=64, null=True, unique=True, verbose_name='employee number')),
                        ('job_title', models.CharField(blank=True, max_length=200, verbose_name='job title')),
                        ('is_manager', models.BooleanField(default=False, verbose_name='manager')),
                        ('hire_date', models.DateField(blank=True, null=True, verbose_name='hire date')),
                        ('leave_date', models.DateField(blank=True, null=True, verbose_name='leave date')),
                        ('kind', models.CharField(choices=[('staff', 'Staff'), ('external', 'External participant')], default='staff', max_length=16, verbose_name='kind')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='learner_profile', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='members', to='org.organisation', verbose_name='unit')),
                    ],
                    options={
                        'verbose_name': 'learner profile',
                        'verbose_name_plural': 'learner profiles',
                        'db_table': 'lms_learnerprofile',
                        'permissions': [('import_staff', 'Can import staff from the HR system')],
                        'indexes': [models.Index(fields=['unit', 'is_manager'], name='lms_profile_unit_manager')],
                    },
                ),
                migrations.CreateModel(
                    name='ReportingScope',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='lms_reporting_scopes', to='auth.group')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.organisation')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='lms_reporting_scopes', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'reporting scope',
                        'verbose_name_plural': 'reporting scopes',
                        'db_table': 'lms_reportingscope',
                        'constraints': [models.CheckConstraint(condition=models.Q(('user__isnull', False), ('group__isnull', False), _connector='OR'), name='lms_scope_user_or_group')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
