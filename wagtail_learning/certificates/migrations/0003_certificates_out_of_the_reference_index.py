"""Certificates are no longer in Wagtail's reference index (decision 0013): drop the rows
recorded for them before, so no "usage" page lists a learner's certificate."""

from django.db import migrations


def drop_certificate_references(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ReferenceIndex = apps.get_model("wagtailcore", "ReferenceIndex")
    content_type = ContentType.objects.filter(app_label="certificates", model="certificate").first()
    if content_type is not None:
        ReferenceIndex.objects.filter(base_content_type=content_type).delete()
        ReferenceIndex.objects.filter(content_type=content_type).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0002_render_claim"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0078_referenceindex"),
    ]

    operations = [migrations.RunPython(drop_certificate_references, migrations.RunPython.noop)]
