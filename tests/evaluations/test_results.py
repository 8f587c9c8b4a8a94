"""Results are shown only for groups of at least k answers (5 here), for the whole
evaluation, per organisation and per unit, on the page and in the exports; and each reader
reads only the answers they may: the wall for coordinators, the consenting organisations
for evaluators, everyone's for the owner of the course."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.factories import (
    CoursePageFactory,
    SuperuserFactory,
    UserFactory,
    hr_user,
    org_unit,
    staff_member,
)
from wagtail_learning.evaluations.models import OrganisationConsent
from wagtail_learning.org.models import EditorialGroup

from .helpers import answer, make_evaluation

pytestmark = pytest.mark.django_db


class World:
    def __init__(self):
        self.a = org_unit("Kommun A")
        self.b = org_unit("Kommun B")
        self.c = org_unit("Kommun C")
        self.a1 = org_unit("A Enhet Ett", self.a)
        self.a2 = org_unit("A Enhet Två", self.a)
        self.a.refresh_from_db()
        self.b1 = org_unit("B Enhet", self.b)
        self.c1 = org_unit("C Enhet", self.c)
        self.course = CoursePageFactory(title="Mänskliga rättigheter")
        self.evaluation = make_evaluation(self.course, owner=self.a)
        self.count = 0

    def answers(self, unit, n: int, *, scale: str, text: str = ""):
        for _ in range(n):
            self.count += 1
            person = staff_member(unit, username=f"svarande{self.count}")
            answer(self.evaluation, person, scale=scale, text=text)

    def url(self, **params) -> str:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return reverse("evaluations_result", args=[self.evaluation.pk]) + (
            f"?{query}" if query else ""
        )


@pytest.fixture
def world():
    return World()


def sections(response) -> dict[str, str]:
    """The page's groups: label -> the group's HTML."""
    assert response.status_code == 200
    body = response.content.decode()
    parts = re.split(r'<section class="evaluation-group" data-group="', body)[1:]
    return {part.split('"', 1)[0]: part.split("</section>", 1)[0] for part in parts}


def test_the_whole_shows_nothing_under_five_answers_and_its_figures_from_five(client, world):
    client.force_login(SuperuserFactory())
    world.answers(world.a1, 4, scale="4", text="Mer tid till diskussion")
    whole = sections(client.get(world.url()))["Alla svar"]
    assert "färre än 5" in whole
    assert "4 svar" not in whole and "data-mean" not in whole
    assert "Mer tid till diskussion" not in whole

    world.answers(world.a1, 1, scale="4", text="Bra exempel")
    whole = sections(client.get(world.url()))["Alla svar"]
    assert "5 svar" in whole
    assert re.search(r"data-mean>4,0<", whole)
    assert "Mer tid till diskussion" in whole and "Bra exempel" in whole


@pytest.mark.parametrize(
    ("by", "labels"),
    [
        ("organisation", ("Kommun A", "Kommun B", "Kommun C")),
        ("unit", ("A Enhet Ett", "B Enhet", "C Enhet")),
    ],
)
def test_a_group_of_four_shows_nothing_and_a_group_of_five_its_figures(client, world, by, labels):
    client.force_login(SuperuserFactory())
    five, four, more = labels
    world.answers(world.a1, 5, scale="5")
    world.answers(world.b1, 5, scale="2")
    groups = sections(client.get(world.url(by=by)))
    assert "5 svar" in groups[five] and re.search(r"data-mean>5,0<", groups[five])
    assert "5 svar" in groups[four] and re.search(r"data-mean>2,0<", groups[four])

    world.answers(world.c1, 4, scale="1")
    groups = sections(client.get(world.url(by=by)))
    assert "färre än 5" in groups[more]  # C: 4 answers
    assert "data-mean" not in groups[more] and "4 svar" not in groups[more]
    # The whole minus the groups shown must not give C's four back: one more group of
    # five is not shown either.
    assert "visas inte" in groups[five] and "data-mean" not in groups[five]
    assert "5 svar" in groups[four]
    assert "14 svar" in groups["Alla svar"]


def _xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/") and name.endswith(".xml")
        )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_withholds_the_same_groups(client, world, fmt):
    client.force_login(SuperuserFactory())
    world.answers(world.a1, 5, scale="5")
    world.answers(world.a2, 6, scale="3")
    world.answers(world.b1, 4, scale="1")
    world.answers(world.c1, 6, scale="2")  # withheld too, or A + C would give B back
    response = client.get(world.url(by="organisation", export=fmt))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    text = content.decode("utf-8-sig") if fmt == "csv" else _xlsx_text(content)
    b_rows = [line for line in text.splitlines() if line.startswith("Kommun B")]
    if fmt == "csv":
        assert b_rows and all("färre än 5" in line for line in b_rows)
        assert all(not re.search(r";\d", line) for line in b_rows)
        a_row = next(line for line in text.splitlines() if line.startswith("Kommun A;11;"))
        assert "Innehållet var relevant" in a_row
    else:
        assert "färre än 5" in text and "visas inte" in text
        assert "Kommun A" in text


def test_hr_of_another_organisation_sees_nothing_of_a(client, world):
    world.answers(world.a1, 6, scale="5", text="Hemligt från A")
    client.force_login(hr_user(world.b, username="hr-b"))
    page = client.get(world.url(by="organisation"))
    groups = sections(page)
    assert "Kommun A" not in groups
    assert "0 svar" in groups["Alla svar"]
    assert "Hemligt från A" not in page.content.decode()
    exported = b"".join(client.get(world.url(by="unit", export="csv")).streaming_content)
    assert "A Enhet" not in exported.decode("utf-8-sig")


def test_hr_sees_their_own_organisations_answers_only(client, world):
    world.answers(world.a1, 6, scale="5")
    world.answers(world.b1, 5, scale="2")
    client.force_login(hr_user(world.b, username="hr-b"))
    groups = sections(client.get(world.url(by="organisation")))
    assert list(groups) == ["Alla svar", "Kommun B"]
    assert "5 svar" in groups["Alla svar"] and re.search(r"data-mean>2,0<", groups["Alla svar"])


def evaluator():
    user = UserFactory(username="utvarderare")
    group = Group.objects.create(name="Utvärderare")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_results_across"),
    )
    user.groups.add(group)
    return user


def test_the_evaluator_reads_the_organisations_that_consented_and_nothing_else(client, world):
    world.answers(world.a1, 5, scale="5")
    world.answers(world.b1, 5, scale="1")
    OrganisationConsent.objects.create(organisation=world.a, share_with_evaluators=True)
    OrganisationConsent.objects.create(organisation=world.b, share_with_evaluators=False)
    client.force_login(evaluator())
    groups = sections(client.get(world.url(by="organisation")))
    assert list(groups) == ["Alla svar", "Kommun A"]
    assert "5 svar" in groups["Alla svar"]


def test_without_the_permission_or_a_scope_the_results_are_refused(client, world):
    world.answers(world.a1, 5, scale="5")
    nobody = UserFactory(username="nyfiken")
    nobody.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(nobody)
    response = client.get(world.url())
    assert response.status_code in (302, 403)
    assert "data-mean" not in response.content.decode()


def test_the_owner_of_a_shared_course_sees_other_organisations_where_k_is_met(client, world):
    world.answers(world.a1, 5, scale="5")
    world.answers(world.b1, 6, scale="2")
    world.answers(world.c1, 4, scale="1")
    editor = UserFactory(username="redaktor-a")
    group = Group.objects.create(name="Redaktörer A")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_evaluation"),
    )
    editor.groups.add(group)
    EditorialGroup.objects.create(group=group, organisation=world.a)
    client.force_login(editor)
    groups = sections(client.get(world.url(by="organisation")))
    assert re.search(r"data-mean>2,0<", groups["Kommun B"])
    assert "färre än 5" in groups["Kommun C"] and "data-mean" not in groups["Kommun C"]


@pytest.mark.parametrize("by", ["total", "organisation", "unit"])
def test_the_results_take_the_same_queries_whatever_the_number_of_answers(
    world, by, django_assert_num_queries
):
    from wagtail_learning.evaluations.results import get_results

    reader = SuperuserFactory()
    world.answers(world.a1, 5, scale="5", text="Bra")
    expected = {"total": 4, "organisation": 6, "unit": 6}[by]
    with django_assert_num_queries(expected):
        get_results(reader, world.evaluation, by=by)
    world.answers(world.b1, 7, scale="2", text="Mer tid")
    world.answers(world.c1, 6, scale="3")
    with django_assert_num_queries(expected):
        get_results(reader, world.evaluation, by=by)
