"""Certificates say what the training really contained (issue 21).

The shipped default design claimed "lecture, reading, reflection and knowledge test" for
every course and module. Each certificate now keeps the kinds of required steps it was
issued for (`contents`), and the default design names them through `{contents}` and
`{contents_en}`. A default design whose text an editor has changed is left as it is."""

import wagtail.fields
from django.db import migrations, models

OLD_BODY = (
    "<p>{learner_name} har genomfört utbildningen med godkänt resultat: föreläsning, "
    "läsning, reflektion och kunskapstest. Intyget kan kontrolleras med koden nedan.</p>"
    "<p><i>{learner_name} has successfully completed the training: lecture, reading, "
    "reflection and knowledge test. The certificate can be verified with the code "
    "below.</i></p>"
)
NEW_BODY = (
    "<p>{learner_name} har genomfört utbildningen med godkänt resultat. Den omfattade "
    "{contents}. Intyget kan kontrolleras med koden nedan.</p>"
    "<p><i>{learner_name} has successfully completed the training, which comprised "
    "{contents_en}. The certificate can be verified with the code below.</i></p>"
)


def say_what_it_contained(apps, schema_editor):
    CertificateDesign = apps.get_model("certificates", "CertificateDesign")
    CertificateDesign.objects.filter(is_default=True, body=OLD_BODY).update(body=NEW_BODY)


def back(apps, schema_editor):
    CertificateDesign = apps.get_model("certificates", "CertificateDesign")
    CertificateDesign.objects.filter(is_default=True, body=NEW_BODY).update(body=OLD_BODY)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0007_kind_choices_and_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="contents",
            field=models.JSONField(blank=True, default=list, verbose_name="contents"),
        ),
        migrations.AlterField(
            model_name="certificatedesign",
            name="body",
            field=wagtail.fields.RichTextField(
                help_text="Placeholders: {learner_name}, {title}, {completion_date}, "
                "{estimated_hours}, {organisation}, {contents}, {contents_en}.",
                verbose_name="text",
            ),
        ),
        migrations.RunPython(say_what_it_contained, back),
    ]
