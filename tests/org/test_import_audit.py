"""Every real staff import is audit-logged by the engine (who, when, file, counts), the
command's too; a dry run or a failed import is not."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from tests.factories import SuperuserFactory, hr_export, hr_row, staff_importer, unit_at
from wagtail_learning.org.api import find_unit, import_staff
from wagtail_learning.org.imports import apply as apply_module

pytestmark = pytest.mark.django_db

ENHET_A = "Huddinge/Socialförvaltningen/Enhet A"


@pytest.fixture
def huddinge():
    unit_at(ENHET_A)
    return find_unit("Huddinge")


def entries():
    return list(ModelLogEntry.objects.filter(action="lms.import_staff"))


def test_the_command_logs_the_import(huddinge, tmp_path):
    data, name = hr_export([hr_row("1001"), hr_row("1002", "Bo"), hr_row("", "Fel")])
    path = tmp_path / name
    path.write_bytes(data)

    with pytest.raises(SystemExit):  # one row had an error
        call_command("import_staff", str(path), "--organisation", "Huddinge")

    (entry,) = entries()
    assert entry.object_id == str(huddinge.pk)
    assert entry.user is None
    assert entry.timestamp is not None
    assert entry.data["filename"] == "personal.csv"
    assert entry.data["source"] == "command"
    assert (entry.data["created"], entry.data["rows_with_errors"]) == (2, 1)
    assert (entry.data["full"], entry.data["create_units"]) == (False, False)


def test_the_command_dry_run_logs_nothing(huddinge, tmp_path):
    data, name = hr_export([hr_row("1001")])
    path = tmp_path / name
    path.write_bytes(data)

    call_command("import_staff", str(path), "--organisation", "Huddinge", "--dry-run")

    assert entries() == []


@pytest.mark.parametrize("superuser", [True, False])
def test_an_import_through_the_api_logs_who_ran_it(huddinge, superuser):
    user = SuperuserFactory() if superuser else staff_importer(huddinge)
    data, name = hr_export([hr_row("1001")])

    import_staff(data, filename=name, scope=huddinge, user=user, dry_run=False, full=True)

    (entry,) = entries()
    assert entry.user == user
    assert entry.data["source"] == "admin"
    assert entry.data["full"] is True and entry.data["created"] == 1


def test_a_failed_import_is_not_logged(huddinge, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated")

    monkeypatch.setattr(apply_module, "announce_people_changed", broken)
    data, name = hr_export([hr_row("1001")])

    with pytest.raises(RuntimeError):
        import_staff(data, filename=name, scope=huddinge, dry_run=False)

    assert entries() == []


def test_the_action_keeps_its_id_and_label():
    with translation.override("en"):
        assert log_registry.get_action_label("lms.import_staff") == "Import staff"
    with translation.override("sv"):
        assert log_registry.get_action_label("lms.import_staff") == "Importera personal"
