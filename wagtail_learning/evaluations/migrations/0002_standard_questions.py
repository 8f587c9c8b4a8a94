"""The standard questions of the library, ready for every evaluation (no owner: anyone
with the model permission reuses and edits them), so results compare across courses."""

from django.db import migrations

STANDARD = [
    ("Innehållet var relevant för mitt arbete", "scale", True),
    ("Jag kommer att använda det jag lärt mig", "scale", True),
    ("Hur nöjd är du totalt?", "scale", True),
    ("Skulle du rekommendera utbildningen till en kollega?", "yes_no", True),
    ("Vad kan bli bättre?", "text", False),
]


def add_standard_questions(apps, schema_editor):
    Question = apps.get_model("evaluations", "Question")
    for text, kind, required in STANDARD:
        Question.objects.get_or_create(
            text=text, owner=None, defaults={"kind": kind, "required": required}
        )


def remove_standard_questions(apps, schema_editor):
    Question = apps.get_model("evaluations", "Question")
    Question.objects.filter(owner=None, text__in=[text for text, _kind, _req in STANDARD]).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]

    operations = [migrations.RunPython(add_standard_questions, remove_standard_questions)]
