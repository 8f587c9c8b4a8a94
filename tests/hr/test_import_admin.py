"""The staff import in the Wagtail admin: upload -> preview (mapping and dry run) ->
import (a task: sync in tests, run when the request's transaction commits) -> result, for
superusers and scoped HR users; refusals; the audit log."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from tests.factories import (
    HR_HEADINGS,
    SuperuserFactory,
    employee,
    hr_export,
    hr_row,
    in_english,
    staff_importer,
    unit_at,
)
from wagtail_learning.lms.storage import protected_storage
from wagtail_learning.org.api import find_unit
from wagtail_learning.org.models import (
    LearnerProfile,
    Membership,
    Organisation,
    ReportingScope,
    StaffImport,
)

pytestmark = pytest.mark.django_db

ENHET_A = "Huddinge/Socialförvaltningen/Enhet A"
SKOLA = "Botkyrka/Utbildning/Skola 1"
MAPPING = dict(
    zip(
        [
            "employee_number",
            "first_name",
            "last_name",
            "email",
            "unit",
            "job_title",
            "is_manager",
            "hire_date",
            "leave_date",
            "kind",
        ],
        HR_HEADINGS,
        strict=True,
    )
)
ROWS = [
    hr_row("1001", "Anna", "Andersson"),
    hr_row("1002", "Bo", "Berg", manager="ja"),
    hr_row("1003", "Cecilia", "Ek", email="inte-en-adress"),  # row 4: a bad email
]


@pytest.fixture
def org():
    unit_at(ENHET_A)
    unit_at(SKOLA)
    return SimpleNamespace(
        huddinge=find_unit("Huddinge"), botkyrka=find_unit("Botkyrka"), a=find_unit(ENHET_A)
    )


@pytest.fixture
def admin(client):
    user = SuperuserFactory()
    client.force_login(user)
    in_english(client)
    client.user = user
    return client


def as_user(client, user):
    client.force_login(user)
    in_english(client)
    client.user = user
    return client


def upload(client, organisation, rows=ROWS, *, fmt="csv", data=None, name=None, **options):
    if data is None:
        data, name = hr_export(rows, fmt=fmt)
    payload = {"file": SimpleUploadedFile(name, data), "organisation": organisation.pk}
    payload.update({key: "on" for key, value in options.items() if value})
    return client.post(reverse("hr_import"), payload)


def counts() -> dict:
    return {
        "profiles": LearnerProfile.objects.count(),
        "memberships": Membership.objects.count(),
        "units": Organisation.objects.count(),
        "left": LearnerProfile.objects.filter(leave_date__isnull=False).count(),
    }


def two_steps(client, organisation, rows=ROWS, **kwargs):
    """Upload, then show the preview; returns (preview url, preview response)."""
    response = upload(client, organisation, rows, **kwargs)
    assert response.status_code == 302, response.content.decode()[:2000]
    url = response["Location"]
    return url, client.get(url)


@pytest.fixture(autouse=True)
def _tasks(django_capture_on_commit_callbacks):
    """Run what a request queues when it commits (the queue is sync in tests)."""
    on_commit.capture = django_capture_on_commit_callbacks


on_commit = SimpleNamespace(capture=None)


def do_import(client, url, mapping=MAPPING):
    """Press Import; follow to the progress page and (the task ran) the result."""
    with on_commit.capture(execute=True):
        response = client.post(url, {**mapping, "action": "import"})
    if response.status_code == 302:
        response = client.get(response["Location"], follow=True)
    return response


# --- The flow --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_superuser_uploads_checks_the_dry_run_and_imports(admin, org, fmt):
    before = counts()

    url, preview = two_steps(admin, org.huddinge, fmt=fmt)

    assert preview.status_code == 200
    html = preview.content.decode()
    assert '<option value="Anställningsnummer" selected>' in html  # detected mapping
    assert '<option value="E-post" selected>' in html
    assert "Would be created" in html
    assert "1001 Anna Andersson" in html and "1002 Bo Berg" in html
    assert "<td>4</td><td>E-post</td>" in html
    assert "is not an email address" in html
    assert 'value="import"' in html
    assert counts() == before  # the preview is a dry run

    response = do_import(admin, url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "was imported into Huddinge" in html
    assert set(LearnerProfile.objects.values_list("employee_number", flat=True)) == {
        "1001",
        "1002",
    }
    entry = ModelLogEntry.objects.get(action="lms.import_staff")
    assert entry.content_type == ContentType.objects.get_for_model(Organisation)
    assert entry.object_id == str(org.huddinge.pk)
    assert entry.user == admin.user
    assert entry.data["created"] == 2
    assert entry.data["rows_with_errors"] == 1
    assert entry.data["filename"] == f"personal.{fmt}"
    assert StaffImport.objects.get().status == StaffImport.Status.DONE

    again = do_import(admin, url)  # a second press shows the result; nothing is imported
    assert again.status_code == 200
    assert "was imported into Huddinge" in again.content.decode()
    assert ModelLogEntry.objects.filter(action="lms.import_staff").count() == 1


def test_an_hr_user_with_a_group_scope_imports_into_their_organisation(client, org):
    hr = as_user(client, staff_importer(org.huddinge, via_group=True))
    form = hr.get(reverse("hr_import"))
    assert form.status_code == 200
    html = form.content.decode()
    assert f'<option value="{org.huddinge.pk}">Huddinge</option>' in html
    assert f'value="{org.botkyrka.pk}"' not in html

    url, preview = two_steps(hr, org.huddinge)
    assert preview.status_code == 200
    response = do_import(hr, url)

    assert response.status_code == 200
    assert LearnerProfile.objects.count() == 2
    assert ModelLogEntry.objects.get(action="lms.import_staff").user == hr.user


def test_an_hr_user_scoped_to_one_organisation_cannot_import_into_another(client, org):
    hr = as_user(client, staff_importer(org.huddinge))

    response = upload(hr, org.botkyrka, [hr_row("1001", unit=SKOLA)])

    assert response.status_code == 403
    assert "outside your reporting scope" in response.content.decode()
    assert not StaffImport.objects.exists()
    assert not LearnerProfile.objects.exists()


def test_rows_for_another_organisation_are_row_errors_for_a_scoped_hr_user(client, org):
    other = employee(find_unit(SKOLA), "4001", last_name="Botkyrkabo")
    hr = as_user(client, staff_importer(org.huddinge))
    rows = [hr_row("1001"), hr_row("1002", unit=SKOLA), hr_row("4001", "Kapad")]

    url, preview = two_steps(hr, org.huddinge, rows, create_units=True)
    html = preview.content.decode()
    assert "is outside Huddinge" in html
    assert "Botkyrkabo" not in html and "belongs to someone" not in html
    do_import(hr, url)

    # Huddinge's own 4001 is a new person of Huddinge; Botkyrka's 4001 is not touched.
    assert list(
        LearnerProfile.objects.values_list("organisation__name", "employee_number").order_by("pk")
    ) == [("Botkyrka", "4001"), ("Huddinge", "1001"), ("Huddinge", "4001")]
    other.refresh_from_db()
    assert other.last_name == "Botkyrkabo"
    assert find_unit(SKOLA) is not None and Organisation.objects.count() == 6


def test_a_scope_removed_between_the_steps_stops_the_import(client, org):
    user = staff_importer(org.huddinge)
    hr = as_user(client, user)
    url, _preview = two_steps(hr, org.huddinge)

    ReportingScope.objects.filter(user=user).delete()

    assert do_import(hr, url).status_code == 403
    assert not LearnerProfile.objects.exists()


def test_someone_without_the_permission_is_refused(client, org):
    editor = as_user(client, staff_importer(org.huddinge, permission=False))

    # Wagtail's answer to a missing permission: back to the dashboard, with a message.
    for response in (
        editor.get(reverse("hr_import")),
        upload(editor, org.huddinge),
        editor.get(reverse("hr_import_preview", args=["made-up"])),
    ):
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    assert not StaffImport.objects.exists()
    assert not LearnerProfile.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login(client, org):
    response = client.get(reverse("hr_import"))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_menu_item_is_shown_to_importers_only(client, org):
    hr = as_user(client, staff_importer(org.huddinge))
    html = hr.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("hr_import") in html
    assert "Import staff" in html

    editor = as_user(client, staff_importer(org.huddinge, permission=False))
    assert reverse("hr_import") not in editor.get(reverse("wagtailadmin_home")).content.decode()


def test_the_log_action_has_a_label():
    assert log_registry.get_action_label("lms.import_staff") == "Importera personal"
    with translation.override("en"):
        assert log_registry.get_action_label("lms.import_staff") == "Import staff"


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4\n1 0 obj", "personal.pdf", "Upload a .csv or .xlsx file."),
        (b"not a workbook", "personal.xlsx", "not a readable XLSX workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "personal.csv", "not a CSV file"),
        (b"", "personal.csv", "empty"),
    ],
)
def test_a_file_that_is_not_csv_or_xlsx_is_a_400(admin, org, data, name, message):
    response = upload(admin, org.huddinge, data=data, name=name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StaffImport.objects.exists()


def test_a_file_over_the_size_limit_is_a_400(admin, org, monkeypatch):
    monkeypatch.setattr("wagtail_learning.hr.forms.MAX_UPLOAD_BYTES", 100)

    response = upload(admin, org.huddinge)

    assert response.status_code == 400
    assert "larger than 20 MB" in response.content.decode()


def test_an_upload_without_a_file_or_organisation_is_a_400(admin, org):
    response = admin.post(reverse("hr_import"), {"organisation": "Huddinge"})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_columns_the_file_names_differently_are_mapped_in_step_two(admin, org):
    headings = ["Nr", *HR_HEADINGS[1:]]
    data, name = hr_export(ROWS[:2], headings=headings)
    url, preview = two_steps(admin, org.huddinge, data=data, name=name)

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "no column for: employee_number" in html
    assert 'value="import"' not in html

    mapping = {**MAPPING, "employee_number": "Nr"}
    checked = admin.post(url, {**mapping, "action": "preview"})
    assert checked.status_code == 200
    assert '<option value="Nr" selected>' in checked.content.decode()
    assert "1001 Anna Andersson" in checked.content.decode()

    assert do_import(admin, url, mapping).status_code == 200
    assert LearnerProfile.objects.count() == 2


def test_a_changed_mapping_is_previewed_before_anything_is_imported(admin, org):
    url, _preview = two_steps(admin, org.huddinge)
    mapping = {**MAPPING, "job_title": ""}

    response = do_import(admin, url, mapping)

    assert response.status_code == 200
    assert "The column mapping changed" in response.content.decode()
    assert "Would be created" in response.content.decode()
    assert not LearnerProfile.objects.exists()

    assert do_import(admin, url, mapping).status_code == 200
    assert LearnerProfile.objects.get(employee_number="1001").job_title == ""


@pytest.mark.parametrize(
    "change",
    [{"employee_number": "Personnummer"}, {"unit": ""}, {"kind": "<script>"}],
)
def test_a_mapping_to_a_missing_column_is_a_400(admin, org, change):
    url, _preview = two_steps(admin, org.huddinge)

    for action in ("preview", "import"):
        response = admin.post(url, {**MAPPING, **change, "action": action})
        assert response.status_code == 400
    assert not LearnerProfile.objects.exists()


def test_the_upload_is_kept_in_protected_storage_and_removed_after_import(admin, org):
    storage = protected_storage()

    url, preview = two_steps(admin, org.huddinge)

    staff_import = StaffImport.objects.get()
    assert staff_import.file.startswith("imports/")
    assert storage.exists(staff_import.file)
    assert preview.status_code == 200
    do_import(admin, url)
    assert not storage.exists(staff_import.file)
    assert LearnerProfile.objects.count() == 2


def test_full_import_and_unit_creation_in_the_admin(admin, org):
    employee(org.a, "3001", first_name="Gamla", last_name="Gustavsson")
    rows = [hr_row("1001", unit=f"{ENHET_A}/Grupp 1")]

    url, preview = two_steps(admin, org.huddinge, rows, full=True, create_units=True)

    html = preview.content.decode()
    assert "Would be marked as left" in html and "3001 Gamla Gustavsson" in html
    assert f"{ENHET_A}/Grupp 1" in html
    assert find_unit(f"{ENHET_A}/Grupp 1") is None
    do_import(admin, url)
    assert LearnerProfile.objects.get(employee_number="3001").leave_date is not None
    assert LearnerProfile.objects.get(employee_number="1001").unit == find_unit(
        f"{ENHET_A}/Grupp 1"
    )
    entry = ModelLogEntry.objects.get(action="lms.import_staff")
    assert (entry.data["left"], entry.data["units_created"], entry.data["full"]) == (1, 1, True)


# --- The upload page explains the columns and offers a template (issue 9) ------------------


def test_the_upload_page_lists_the_columns_and_which_are_required(admin, org):
    html = admin.get(reverse("hr_import")).content.decode()

    import re

    rows = dict(
        re.findall(
            r'<tr data-column="([^"]+)">\s*<th scope="row">[^<]*</th>\s*<td>(.*?)</td>', html
        )
    )
    assert list(rows) == [
        "Anställningsnummer",
        "Förnamn",
        "Efternamn",
        "E-post",
        "Enhet",
        "Befattning",
        "Chef",
        "Anställningsdatum",
        "Slutdatum",
        "Typ",
    ]
    required = {name for name, cell in rows.items() if "<strong>Required</strong>" in cell}
    assert required == {"Anställningsnummer", "Förnamn", "Efternamn", "Enhet"}
    assert reverse("hr_import_template", args=["csv"]) in html
    assert reverse("hr_import_template", args=["xlsx"]) in html


def test_the_templates_hold_the_headings_and_are_recognised_by_the_import(admin, org):
    import io

    from openpyxl import load_workbook

    csv_response = admin.get(reverse("hr_import_template", args=["csv"]))
    xlsx_response = admin.get(reverse("hr_import_template", args=["xlsx"]))
    assert csv_response.status_code == xlsx_response.status_code == 200
    assert "attachment" in csv_response["Content-Disposition"]
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    headings = text.strip().split(";")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx_response.streaming_content))).active
    assert [c.value for c in next(sheet.iter_rows())] == headings
    assert sheet.freeze_panes == "A2"

    # Filled in and uploaded, every column is recognised: the dry run has no mapping to ask.
    filled = (
        text.strip() + "\r\n1001;Anna;Andersson;;Enhet A;Handläggare;nej;2020-01-15;;personal\r\n"
    )
    response = upload(admin, org.huddinge, data=filled.encode(), name="mall.csv")
    assert response.status_code == 302
    preview = admin.get(response["Location"])
    assert preview.context["staff_import"].dry_run_report["created"] == ["1001 Anna Andersson"]


@pytest.mark.parametrize("fmt", ["pdf", "xlsx.exe"])
def test_an_unknown_template_format_is_a_404(admin, fmt):
    assert admin.get(f"/admin/hr/import/template.{fmt}").status_code == 404


def test_the_template_needs_the_import_permission(client, org):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("hr_import_template", args=["csv"]))
    assert response.status_code in (302, 403)
