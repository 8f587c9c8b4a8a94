"""People who arrive before the staff import does: someone who signs in through their
organisation's identity provider gets a profile in that organisation at once, in the unit
the provider named or else in the organisation's "not yet placed" unit. The next staff
import of the organisation finds them by (organisation, employee number) and moves them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from .hooks import announce_people_changed
from .imports.units import split_path
from .models import LearnerProfile, Membership, Organisation, root_ids

__all__ = ["find_unit_in", "organisations_of", "place_new_person", "unplaced_unit"]


@transaction.atomic
def unplaced_unit(organisation: Organisation) -> Organisation:
    """The "not yet placed" unit of `organisation` (a top-level organisation), created on
    first use right under it. One per organisation: the root's row is locked while it is
    looked for, so two first sign-ins at once create one."""
    root = Organisation.objects.select_for_update().get(pk=organisation.top.pk)
    found = Organisation.objects.filter(
        path__startswith=root.path, depth=2, is_unplaced=True
    ).first()
    if found is not None:
        return found
    with translation.override(settings.LANGUAGE_CODE):
        name = gettext("Not yet placed")
    return root.add_child(name=name, is_unplaced=True)


def find_unit_in(organisation: Organisation, value: str) -> Organisation | None:
    """The unit of `organisation`'s tree that `value` names: its code (from the HR
    system), or else its path below the organisation, with or without the organisation's
    own name first ("Socialförvaltningen/Enhet X" or "Huddinge kommun/Socialförvaltningen/
    Enhet X"). None when it names none, or more than one by code."""
    value = (value or "").strip()
    if not value:
        return None
    # Fetched afresh: a sorted insert of another root may have moved the paths.
    root = Organisation.objects.get(pk=organisation.top.pk)
    tree = Organisation.objects.filter(path__startswith=root.path)
    by_code = list(tree.filter(code=value)[:2])
    if len(by_code) == 1:
        return by_code[0]
    if by_code:
        return None
    parts = split_path(value)
    if parts and parts[0] == root.name:
        parts = parts[1:]
    node = root
    for name in parts:
        node = node.get_children().filter(name=name).first()
        if node is None:
            return None
    return node if node != root else None


def place_new_person(
    user, organisation: Organisation, *, employee_number: str = "", unit_hint: str = ""
) -> None:
    """A staff profile for `user`, who has none, in `organisation` (top-level): in the unit
    `unit_hint` names there (see `find_unit_in`), else in its "not yet placed" unit; with
    its membership, and announced (compliance enrols them in what covers the unit). The
    caller holds the transaction."""
    unit = find_unit_in(organisation, unit_hint) or unplaced_unit(organisation)
    LearnerProfile.objects.create(
        user=user,
        unit=unit,
        employee_number=employee_number or None,
        kind=LearnerProfile.Kind.STAFF,
    )
    Membership.objects.get_or_create(user=user, unit=unit)
    announce_people_changed([user.pk], today=timezone.localdate())


def organisations_of(user) -> set[int]:
    """The ids of the top-level organisations `user` belongs to: their profile's, and
    those their units lie in."""
    found = set(
        LearnerProfile.objects.filter(user=user, organisation__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )
    units = list(Membership.objects.filter(user=user).values_list("unit_id", flat=True))
    return found | set(root_ids(units).values())
