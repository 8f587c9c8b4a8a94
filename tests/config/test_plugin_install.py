"""What a Wagtail site that adds the plugin relies on (README "Add to an existing Wagtail
site", decision 0036): every setting of ours has a default and is in the README; the
README's installation blocks are what `make plugin-check` applies, and name every app of
the package; the version the package reports is the changelog's."""

import ast
import re
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile

import wagtail_learning
from wagtail_learning import defaults

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
PACKAGE = ROOT / "wagtail_learning"

sys.path.insert(0, str(ROOT / "scripts"))
import plugin_check  # noqa: E402

sys.path.pop(0)


def settings_section() -> str:
    return README.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]


def test_every_setting_of_ours_is_in_the_readme_table_with_its_default():
    rows = {
        m["name"]: m["default"]
        for m in re.finditer(
            r"^\| `(?P<name>[A-Z0-9_]+)` \| (?P<default>[^|]+) \|", settings_section(), re.M
        )
    }
    assert set(rows) == set(defaults.DEFAULTS)
    for setting in defaults.SETTINGS:
        shown = rows[setting.name].strip()
        expected = (
            repr(setting.default)
            if not isinstance(setting.default, str)
            else f'"{setting.default}"'
        )
        assert shown.startswith(f"`{expected}`"), (setting.name, shown)


def source_files():
    return [p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts]


def test_the_code_reads_our_settings_only_through_the_defaults_module():
    read_directly, read_through = [], set()
    for path in source_files():
        text = path.read_text()
        read_directly += [
            f"{path.relative_to(ROOT)}: {m[0]}"
            for m in re.finditer(
                r"""settings\.(LMS_|CERTIFICATES_|ADMIN_CONTENT)[A-Z0-9_]+|getattr\(\s*settings,\s*["'](LMS_|CERTIFICATES_|ADMIN_CONTENT)""",
                text,
            )
        ]
        read_through |= set(re.findall(r"""\bvalue\(\s*["']([A-Z0-9_]+)["']""", text))
    assert read_directly == []
    assert read_through <= set(defaults.DEFAULTS)
    assert read_through == set(defaults.DEFAULTS)  # no default that nothing reads


@pytest.mark.django_db
def test_a_site_that_sets_none_of_our_settings_works(settings, tmp_path):
    """A `wagtail start` site has no LMS_* setting: an editor's kept lecture upload, read
    with LMS_LECTURE_PENDING_UPLOAD_HOURS, is found (it was an AttributeError, a 500)."""
    from wagtail_learning.modules import uploads

    for name in list(defaults.DEFAULTS):
        if hasattr(settings, name):
            delattr(settings, name)
    kept = uploads.keep_upload(ContentFile(b"webm", name="forelasning.webm"))
    assert uploads.open_pending(kept.token).name == "forelasning.webm"
    assert uploads.sweep_pending_uploads() == 0
    from wagtail_learning.compliance import conf as compliance_conf

    assert (defaults.value("LMS_MAX_PLAYBACK_RATE"), compliance_conf.min_group_size()) == (2.0, 5)


def installed_apps(variant: str) -> list[str]:
    block = plugin_check.for_variant(plugin_check.readme_blocks(README)["installed-apps"], variant)
    namespace = {
        "INSTALLED_APPS": ["home", "wagtail.contrib.settings", "wagtail", "django.contrib.auth"]
    }
    exec(compile(block, "README installed-apps", "exec"), namespace)  # noqa: S102
    return namespace["INSTALLED_APPS"]


def package_apps() -> set[str]:
    return {"wagtail_learning"} | {
        f"wagtail_learning.{p.parent.name}" for p in PACKAGE.glob("*/apps.py")
    }


def test_the_readme_lists_every_app_of_the_package_ahead_of_wagtail_once():
    full = installed_apps("full")
    assert len(full) == len(set(full))
    ours = [app for app in full if app.startswith("wagtail_learning")]
    assert set(ours) == package_apps()
    assert full.index("wagtail_learning") < full.index("wagtail")
    assert set(ours) <= {config.name for config in apps.get_app_configs()}


def test_the_core_leaves_out_the_optional_apps_and_their_backends():
    core = installed_apps("core")
    optional = {
        "wagtail_learning.hr",
        "wagtail_learning.external",
        "wagtail_learning.identity",
        "wagtail_learning.evaluations",
        "wagtail_learning.xapi",
    }
    assert optional.isdisjoint(core)
    assert set(installed_apps("full")) - set(core) == optional
    settings_core = plugin_check.for_variant(plugin_check.readme_blocks(README)["settings"], "core")
    settings_full = plugin_check.for_variant(plugin_check.readme_blocks(README)["settings"], "full")
    assert "identity" not in re.sub(r"#.*", "", settings_core)
    assert "django.contrib.auth.backends.ModelBackend" not in settings_full
    for block in (settings_core, settings_full):
        ast.parse(block)


def test_the_plugin_check_applies_the_readme_blocks_as_they_are_written(tmp_path):
    """The host gets the README's very text: a change to the README is what the check runs."""
    (tmp_path / "hostsite" / "settings").mkdir(parents=True)
    (tmp_path / "hostsite" / "settings" / "base.py").write_text("INSTALLED_APPS = []\n")
    (tmp_path / "hostsite" / "urls.py").write_text(
        "urlpatterns = [\n"
        '    path("django-admin/", admin.site.urls),\n'
        '    path("admin/", include(wagtailadmin_urls)),\n'
        "]\n"
    )
    blocks = plugin_check.readme_blocks(README)
    plugin_check.apply_readme(tmp_path, "hostsite", blocks, "full")

    settings_text = (tmp_path / "hostsite" / "settings" / "base.py").read_text()
    assert blocks["installed-apps"] in settings_text
    assert plugin_check.for_variant(blocks["settings"], "full") in settings_text
    urls = (tmp_path / "hostsite" / "urls.py").read_text()
    assert urls.index('include("wagtail_learning.urls")') < urls.index("wagtailadmin_urls")


def test_the_version_the_package_reports_is_the_changelogs_newest():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    newest = re.search(r"^## (\d+\.\d+(?:\.\d+)?) ", changelog, re.M)[1]
    assert wagtail_learning.__version__ == newest


def test_a_host_with_djangos_languages_gets_no_migration_of_ours_from_makemigrations():
    """A host's `makemigrations` must find nothing to write into our package: the
    certificate design's language choices followed settings.LANGUAGES, so a site with
    Django's default list got a certificates migration of its own in site-packages."""
    import subprocess

    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "tests.config.host_settings"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_protected_files_are_served_from_disk_without_django_storages(monkeypatch):
    """django-storages is the "s3" extra: a host without it serves protected files from its
    folder (asking whether a storage was a bucket raised ImportError, a 500 on every
    lecture video in the plugin check's host)."""
    import sys

    from django.core.files.storage import storages

    from wagtail_learning.lms.storage import is_object_storage

    monkeypatch.setitem(sys.modules, "storages.backends.s3", None)
    assert is_object_storage(storages["protected"]) is False
