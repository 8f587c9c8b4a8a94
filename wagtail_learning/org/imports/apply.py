"""Writing a plan: units, accounts, profiles, memberships, leavers; then the announcement
that people changed (compliance enrols them). The caller holds the transaction."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import InvalidInput
from ..hooks import announce_people_changed
from ..models import LearnerProfile, Membership, Organisation, root_ids
from .plan import CHUNK, IDENTITY_FIELDS, Plan, chunks

__all__ = ["apply_plan"]

# People written per step: what is held in memory as model instances at once.
WRITE_CHUNK = CHUNK


def apply_plan(plan: Plan, *, today: date) -> None:
    """Write the plan; the caller holds the transaction. People are written in chunks of
    WRITE_CHUNK, each in a fixed number of statements, so the statements grow with the
    chunks, never one per person."""
    User = get_user_model()
    now = timezone.now()
    unit_ids = dict(plan.unit_ids)
    _create_units(plan.units_to_create, unit_ids)

    touched: list[int] = []
    for rows in chunks(plan.creates, WRITE_CHUNK):
        touched += _create_people(rows, unit_ids, User)

    for updates in chunks(plan.updates, WRITE_CHUNK):
        _update_people(updates, unit_ids, now, User)
        touched += [profile.user_id for profile, *_rest in updates]

    for chunk in chunks(plan.leavers):
        LearnerProfile.objects.filter(pk__in=chunk).update(leave_date=today, updated_at=now)

    for chunk in chunks(touched):
        announce_people_changed(chunk, today=today)


def _create_units(paths: list[str], unit_ids: dict[str, int]) -> None:
    """Create the units at `paths` (full paths; every level missing from `unit_ids` is
    among them), level by level, adding their ids to `unit_ids`.

    The children of a parent that had none (a new unit, or an empty one) are inserted
    together: their paths are numbered in the order the database sorts their names, which
    is the order treebeard keeps siblings in (node_order_by), so a later sorted insert
    finds them where it expects. Roots and children of a parent that already has children
    go through treebeard one by one (a sorted insert may move the siblings after it); an
    import rarely creates those. So a first import of a whole region costs a few statements
    per level, not several per unit."""
    by_depth: dict[int, list[str]] = {}
    for path in paths:
        by_depth.setdefault(path.count("/") + 1, []).append(path)
    for depth in sorted(by_depth):
        level = sorted(by_depth[depth], key=lambda p: p.split("/"))
        if depth == 1:
            for path in level:
                unit_ids[path] = Organisation.add_root(name=path).pk
            continue
        names_under: dict[str, list[str]] = {}
        for path in level:
            parent_path, _slash, name = path.rpartition("/")
            names_under.setdefault(parent_path, []).append(name)
        parents: dict[int, Organisation] = {}
        for chunk in chunks([unit_ids[p] for p in names_under]):
            # Fetched afresh: a sorted insert at the level above may have moved paths.
            parents.update(Organisation.objects.in_bulk(chunk))
        ordered = _in_collation_order(
            [(i, name) for i, p in enumerate(names_under) for name in names_under[p]]
        )
        created: list[tuple[str, Organisation]] = []  # (full path, unsaved unit)
        filled: list[Organisation] = []
        for i, parent_path in enumerate(names_under):
            parent = parents[unit_ids[parent_path]]
            if parent.numchild:
                for name in names_under[parent_path]:
                    fresh = Organisation.objects.get(pk=parent.pk)
                    unit_ids[f"{parent_path}/{name}"] = fresh.add_child(name=name).pk
                continue
            for step, name in enumerate(ordered[i], start=1):
                unit = Organisation(
                    name=name,
                    path=Organisation._get_path(parent.path, depth, step),
                    depth=depth,
                    numchild=0,
                    kind=Organisation.Kind.UNIT,  # what save() sets below a root
                )
                created.append((f"{parent_path}/{name}", unit))
            parent.numchild = len(ordered[i])
            filled.append(parent)
        Organisation.objects.bulk_create([unit for _path, unit in created], batch_size=500)
        if any(unit.pk is None for _path, unit in created):  # no ids from a bulk insert
            ids: dict[str, int] = {}
            for chunk in chunks([unit.path for _path, unit in created]):
                ids.update(Organisation.objects.filter(path__in=chunk).values_list("path", "pk"))
            for _path, unit in created:
                unit.pk = ids[unit.path]
        for path, unit in created:
            unit_ids[path] = unit.pk
        Organisation.objects.bulk_update(filled, ["numchild"], batch_size=500)


def _in_collation_order(pairs: list[tuple[int, str]]) -> dict[int, list[str]]:
    """Group -> names, each group's names in the order the database sorts them: its
    collation, which treebeard's sorted inserts compare by (Python's order differs for
    å, ä, ö and case). One query, the pairs passed as one JSON parameter."""
    if connection.vendor == "postgresql":
        sql = "SELECT (e->>0)::int, e->>1 FROM jsonb_array_elements(%s::jsonb) AS e ORDER BY 1, 2"
    else:
        sql = (
            "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') "
            "FROM json_each(%s) ORDER BY 1, 2"
        )
    result: dict[int, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(pairs)])
        for group, name in cursor.fetchall():
            result.setdefault(group, []).append(name)
    return result


def _create_people(rows: list[dict], unit_ids: dict[str, int], User) -> list[int]:
    """Accounts, profiles and memberships for up to WRITE_CHUNK new people, in a fixed
    number of statements; returns their user ids."""
    users = _users_for(rows, User)
    User.objects.bulk_create(list(users.values()), batch_size=500)
    if any(u.pk is None for u in users.values()):  # no ids from a bulk insert
        names = [u.username for u in users.values()]
        ids = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
        for user in users.values():
            user.pk = ids[user.username]
    # The organisation by the one rule save() uses too (bulk_create does not call save).
    roots = root_ids(unit_ids[row["unit"]] for row in rows)
    LearnerProfile.objects.bulk_create(
        [
            LearnerProfile(
                user_id=users[row["employee_number"]].pk,
                unit_id=unit_ids[row["unit"]],
                organisation_id=roots[unit_ids[row["unit"]]],
                employee_number=row["employee_number"],
                job_title=row["job_title"],
                is_manager=row["is_manager"],
                hire_date=row["hire_date"],
                leave_date=row["leave_date"],
                kind=row["kind"],
            )
            for row in rows
        ],
        batch_size=500,
    )
    Membership.objects.bulk_create(
        [
            Membership(user_id=users[row["employee_number"]].pk, unit_id=unit_ids[row["unit"]])
            for row in rows
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    return [user.pk for user in users.values()]


def _update_people(updates: list, unit_ids: dict[str, int], now, User) -> None:
    """Write up to WRITE_CHUNK of the plan's updates in a fixed number of statements."""
    changed_users, changed_profiles, moves, new_memberships = [], [], [], []
    profile_fields: set[str] = set()
    for profile, row, user_changes, profile_changes, membership_missing in updates:
        unit_id = unit_ids[row["unit"]]
        if user_changes:
            for name in user_changes:
                setattr(profile.user, name, row[name])
            changed_users.append(profile.user)
        if profile_changes:
            if "unit" in profile_changes:
                if profile.unit_id is not None:
                    moves.append((profile.user_id, profile.unit_id))
                profile.unit_id = unit_id
            for name in profile_changes:
                if name != "unit":
                    setattr(profile, name, row[name])
            profile.updated_at = now
            profile_fields.update(profile_changes)
            changed_profiles.append(profile)
        if "unit" in profile_changes or membership_missing:
            new_memberships.append(Membership(user_id=profile.user_id, unit_id=unit_id))
    if changed_users:
        User.objects.bulk_update(changed_users, list(IDENTITY_FIELDS), batch_size=500)
    if changed_profiles:
        fields = [*sorted(profile_fields), "updated_at"]
        LearnerProfile.objects.bulk_update(changed_profiles, fields, batch_size=500)
    for chunk in chunks(moves, 200):
        condition = Q()
        for user_id, unit_id in chunk:
            condition |= Q(user_id=user_id, unit_id=unit_id)
        Membership.objects.filter(condition).delete()
    Membership.objects.bulk_create(new_memberships, batch_size=500, ignore_conflicts=True)


def _users_for(rows: Iterable[dict], User) -> dict[str, object]:
    """A new, unsaved account for each new person (employee number -> user).

    The username is `anst-<employee number>`, with a suffix when that name is taken. An
    existing account is never adopted by its name: names are platform-wide, employee
    numbers are not (another organisation's person, or someone who signed in elsewhere,
    may hold the name). People are found only by (organisation, employee number)."""
    rows = list(rows)
    wanted = {row["employee_number"]: f"anst-{row['employee_number']}".lower() for row in rows}
    taken = _taken_names(set(wanted.values()), User)
    counts = Counter(wanted.values())
    clashing = sorted({name for name, n in counts.items() if name in taken or n > 1})
    # Candidates for the clashing names, asked about together: a second organisation with
    # the same numbers costs a few statements per chunk, not one per person.
    taken |= _taken_names({f"{name}-{n}" for name in clashing for n in range(2, 5)}, User)
    result: dict[str, object] = {}
    for row in rows:
        username = wanted[row["employee_number"]]
        if username in taken:
            username = _free_username(username, taken, User)
        taken.add(username)
        user = User(
            username=username,
            first_name=row["first_name"],
            last_name=row["last_name"],
            email=row["email"],
        )
        user.set_unusable_password()  # they sign in through SSO or a reset link
        result[row["employee_number"]] = user
    return result


def _taken_names(names: set[str], User) -> set[str]:
    taken: set[str] = set()
    for chunk in chunks(sorted(names)):
        taken.update(User.objects.filter(username__in=chunk).values_list("username", flat=True))
    return taken


def _free_username(base: str, taken: set[str], User) -> str:
    """The first `base-<n>` free; `taken` holds what is known to be taken (for n < 5 it
    holds all of them: only a name not in it is asked about)."""
    for suffix in range(2, 10_000):
        candidate = f"{base}-{suffix}"
        if candidate in taken:
            continue
        if suffix < 5 or not User.objects.filter(username=candidate).exists():
            return candidate
    raise InvalidInput(_("No free username for %(name)s.") % {"name": base})
