"""The demo's building blocks (seed_demo runs them)."""

import unicodedata


def email_address(first: str, last: str, domain: str) -> str:
    """first.last@domain in the letters an address may hold before the @: Åsa Öberg is
    asa.oberg (Django's EmailValidator, and so the admin's user form, refuses å, ä, ö)."""
    local = f"{first}.{last}".lower().replace(" ", "-")
    decomposed = unicodedata.normalize("NFKD", local)
    local = "".join(c for c in decomposed if not unicodedata.combining(c))
    return f"{local.encode('ascii', 'ignore').decode()}@{domain}"


def staff_member(
    username, first, last, *, unit, number, job_title, manager, hired,
    domain="huddinge.example.se",
):  # fmt: skip
    """A demo staff member (created once): an account without a password (staff sign in
    through their organisation), a profile in `unit` with the employee number, and the
    membership. Returns (user, created)."""
    from django.contrib.auth import get_user_model

    from wagtail_learning.org.api import LearnerProfile, Membership

    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": email_address(first, last, domain),
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    LearnerProfile.objects.get_or_create(
        user=user,
        defaults={
            "unit": unit,
            "employee_number": number,
            "job_title": job_title,
            "is_manager": manager,
            "hire_date": hired,
        },
    )
    Membership.objects.get_or_create(user=user, unit=unit)
    return user, created
