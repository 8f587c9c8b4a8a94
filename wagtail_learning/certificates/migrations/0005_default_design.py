"""A default certificate design ships with the product (issue 9): courses and modules that
name no design issue certificates in it, so a learner who completes one gets a certificate.
Module certificates name their course: `course_title`, filled in for those issued before."""

from django.db import migrations, models

DEFAULT_BODY = (
    "<p>{learner_name} har genomfört utbildningen med godkänt resultat: föreläsning, "
    "läsning, reflektion och kunskapstest. Intyget kan kontrolleras med koden nedan.</p>"
    "<p><i>{learner_name} has successfully completed the training: lecture, reading, "
    "reflection and knowledge test. The certificate can be verified with the code "
    "below.</i></p>"
)


def create_default_design(apps, schema_editor):
    CertificateDesign = apps.get_model("certificates", "CertificateDesign")
    if CertificateDesign.objects.filter(is_default=True).exists():
        return
    CertificateDesign.objects.create(
        name="Standardintyg (svenska och engelska)",
        is_default=True,
        page_size="A4",
        orientation="landscape",
        language="sv",
        heading="Intyg",
        body=DEFAULT_BODY,
    )


def fill_course_titles(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    Page = apps.get_model("wagtailcore", "Page")
    for certificate in Certificate.objects.filter(kind="module", page__isnull=False).iterator():
        # The parent's treebeard path: Wagtail's steplen is 4 (historical models lack it).
        course = Page.objects.filter(path=certificate.page.path[:-4]).first()
        if course is not None:
            Certificate.objects.filter(pk=certificate.pk).update(course_title=course.title)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0004_render_enqueued_at"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="course_title",
            field=models.CharField(blank=True, max_length=300, verbose_name="course"),
        ),
        migrations.AddField(
            model_name="certificatedesign",
            name="is_default",
            field=models.BooleanField(
                default=False,
                help_text="Used for every course and module that names no design of its own. "
                "Only one design can be the default.",
                verbose_name="default design",
            ),
        ),
        migrations.AddConstraint(
            model_name="certificatedesign",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_default", True)),
                fields=("is_default",),
                name="certificates_one_default_design",
                violation_error_message="Another design is the default already. "
                "Untick it there first.",
            ),
        ),
        migrations.RunPython(create_default_design, migrations.RunPython.noop),
        migrations.RunPython(fill_course_titles, migrations.RunPython.noop),
    ]
