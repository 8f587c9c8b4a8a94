"""Anonymising a person who left reaches every record that points at them, whichever app
keeps it (each app declares its rule through compliance's PERSONAL_DATA hook), and the
person's own record holds their events (decision 0034)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.events.helpers import make_event
from tests.factories import org_unit, staff_member
from wagtail_learning.compliance import api as compliance
from wagtail_learning.compliance.privacy import relations_to_user
from wagtail_learning.events import services as events
from wagtail_learning.events.models import Attendance, CalendarFeed, Registration, RegistrationEntry
from wagtail_learning.identity.models import (
    IdentityProvider,
    ProviderIdentity,
    SamlRequest,
    SamlSession,
)

pytestmark = pytest.mark.django_db

ANSWER = "Glutenfri kost; min chef Petra Ek vet om min diagnos"


def test_every_relation_to_a_person_has_an_anonymisation_rule_with_a_reason():
    rules = compliance.anonymisation_rules()
    relations = {f"{model._meta.label_lower}.{field.name}" for model, field in relations_to_user()}
    assert sorted(relations - set(rules)) == []  # a new model pointing at a person needs one
    assert sorted(set(rules) - relations) == []  # and a rule names a relation that exists
    assert all(rule.reason for rule in rules.values())


@pytest.fixture
def world():
    kommun = org_unit("Botkyrka kommun")
    unit = org_unit("Hemtjänsten Tumba", kommun)
    leaver = staff_member(
        unit, username="kim.berg", first_name="Kim", last_name="Berg", email="kim@botkyrka.se",
        leave_date=timezone.localdate() - timedelta(days=400),
    )  # fmt: skip
    others = [
        staff_member(unit, username=f"kollega{i}", email=f"k{i}@botkyrka.se") for i in range(3)
    ]
    asked = make_event(title="Nätverksträff", questions=[("Kost och behov?", False)])
    question_key = str(asked.questions.get().key)
    events.register(leaver, event=asked, answers={question_key: ANSWER})
    full = make_event(title="Föreläsning", seats=1)
    events.register(others[0], event=full)
    events.register(leaver, event=full)  # in line
    held = make_event(title="Workshop", seats=1)
    events.register(leaver, event=held)
    events.register(others[1], event=held)  # in line behind the leaver's seat
    past = make_event(title="Vårträff", starts_in=timedelta(days=-30))
    Registration.objects.create(
        event=past, user=leaver, status=Registration.Status.REGISTERED,
        queued_at=timezone.now() - timedelta(days=40),
    )  # fmt: skip
    Attendance.objects.create(
        session=past.sessions.get(), user=leaver, status=Attendance.Status.ATTENDED,
        source=Attendance.Source.ORGANISER, minutes=80,
    )  # fmt: skip
    CalendarFeed.objects.create(user=leaver)
    provider = IdentityProvider.objects.create(
        organisation=kommun, slug="botkyrka-saml", protocol="saml", domains="botkyrka.se"
    )
    ProviderIdentity.objects.create(provider=provider, subject="19800101-1234", user=leaver)
    SamlSession.objects.create(provider=provider, name_id="19800101-1234", session_key="s1")
    SamlSession.objects.create(provider=provider, name_id="19900202-2345", session_key="s2")
    SamlRequest.objects.create(
        provider=provider, request_id="r1", browser="b",
        identity={"name_id": "19800101-1234", "email": "kim@botkyrka.se"},
    )  # fmt: skip
    return {"leaver": leaver, "others": others, "asked": asked, "full": full, "held": held,
            "past": past}  # fmt: skip


def test_the_persons_record_holds_their_registrations_answers_place_in_line_and_attendance(
    world, client
):
    record = compliance.get_training_record(world["leaver"])
    registrations = {r["event"]: r for r in record["event_registrations"]}
    assert registrations["Nätverksträff"]["answers"] == [
        {"question": "Kost och behov?", "answer": ANSWER}
    ]
    assert registrations["Föreläsning"]["waitlist_position"] == 1
    assert registrations["Workshop"]["waitlist_position"] is None
    assert [(a["event"], a["minutes"]) for a in record["event_attendance"]] == [("Vårträff", 80)]
    # The page of their record shows them too (in Swedish, the site's language).
    client.force_login(world["leaver"])
    page = client.get(reverse("learning:training_record")).content.decode()
    assert ANSWER in page and "nummer 1 i kön" in page and "Vårträff" in page
    # HR's view of the record shows the events, not what the person wrote.
    for_hr = compliance.get_training_record_for_hr(world["leaver"])
    assert {r["event"] for r in for_hr["event_registrations"]} == set(registrations)
    assert ANSWER not in compliance.serialise_training_record(for_hr)


def test_anonymising_empties_event_answers_gives_up_places_and_forgets_the_sso_subject(world):
    leaver, others = world["leaver"], world["others"]
    assert compliance.anonymise_leavers(now=timezone.now(), after_days=365) == 1

    mine = {r.event_id: r for r in Registration.objects.filter(user=leaver)}
    assert all(r.answers == {} for r in mine.values())
    assert not RegistrationEntry.objects.filter(note__icontains="Kim").exists()
    cancelled = Registration.Status.CANCELLED
    # The place in line is given up; so are seats still to come, which go to the next.
    assert mine[world["full"].pk].status == cancelled
    assert mine[world["held"].pk].status == cancelled
    assert mine[world["asked"].pk].status == cancelled
    promoted = Registration.objects.get(event=world["held"], user=others[1])
    assert promoted.status == Registration.Status.REGISTERED
    # What took place stays, for statistics.
    assert mine[world["past"].pk].status == Registration.Status.REGISTERED
    assert Attendance.objects.get(user=leaver).minutes == 80
    # The identity provider's subject, its SAML sessions and answers: gone.
    assert not ProviderIdentity.objects.filter(user=leaver).exists()
    assert list(SamlSession.objects.values_list("name_id", flat=True)) == ["19900202-2345"]
    assert not SamlRequest.objects.exists()
    assert not CalendarFeed.objects.filter(user=leaver).exists()
    # And nothing in their own record names them any more.
    leaver.refresh_from_db()
    text = compliance.serialise_training_record(compliance.get_training_record(leaver))
    for former in ("kim.berg", "kim@botkyrka.se", "19800101-1234", ANSWER):
        assert former not in text


def test_anonymising_clears_what_the_person_wrote_and_the_roles_they_held(world):
    from django.contrib.auth.models import Group
    from wagtail.models import Comment

    from tests.factories import OneModuleCourse, site_home
    from wagtail_learning.lms.models import StepProgress
    from wagtail_learning.org.models import ReportingScope

    leaver = world["leaver"]
    course = OneModuleCourse()
    course.take(leaver, reflection="Kim Berg tycker att vi borde prata mer", correct=True)
    leaver.groups.add(Group.objects.create(name="HR Botkyrka"))
    ReportingScope.objects.create(user=leaver, unit=leaver.learner_profile.unit)
    comment = Comment.objects.create(
        page=site_home(), user=leaver, contentpath="title", text="Kim Berg: rätta rubriken"
    )

    compliance.anonymise_leavers(now=timezone.now(), after_days=365)

    assert not StepProgress.objects.filter(user=leaver).exclude(answer="").exists()
    assert StepProgress.objects.filter(user=leaver, completed_at__isnull=False).exists()
    assert not leaver.groups.exists()
    assert not ReportingScope.objects.filter(user=leaver).exists()
    comment.refresh_from_db()
    assert comment.text == f"{compliance.anonymous_label()}: rätta rubriken"
