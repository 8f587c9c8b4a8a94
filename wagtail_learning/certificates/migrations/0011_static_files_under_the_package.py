"""Our static files moved under static/wagtail_learning/ (decision 0036): a design's extra CSS
that names our fonts or style sheet by their old address names them by the new one."""

from django.db import migrations

OLD_NEW = (
    ("/static/fonts/", "/static/wagtail_learning/fonts/"),
    ("/static/css/", "/static/wagtail_learning/css/"),
)


def _rewrite(apps, pairs):
    CertificateDesign = apps.get_model("certificates", "CertificateDesign")
    for design in CertificateDesign.objects.exclude(extra_css=""):
        css = design.extra_css
        for old, new in pairs:
            css = css.replace(old, new)
        if css != design.extra_css:
            design.extra_css = css
            design.save(update_fields=["extra_css"])


def forwards(apps, schema_editor):
    _rewrite(apps, OLD_NEW)


def backwards(apps, schema_editor):
    _rewrite(apps, [(new, old) for old, new in OLD_NEW])


class Migration(migrations.Migration):
    dependencies = [("certificates", "0010_swedish_plurals")]

    operations = [migrations.RunPython(forwards, backwards)]
