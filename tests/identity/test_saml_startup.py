"""pysaml2 is loaded only where a SAML request is handled: importing it loads its XML
schemas, and xmlschema logs "Resource 'XMLSchema.xsd' is already loaded" at INFO, which
every management command printed before."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_manage_py_check_prints_nothing_about_xml_schemas():
    result = run("manage.py", "check")
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "XMLSchema.xsd" not in output
    assert "already loaded" not in output


def test_the_urlconf_and_admin_hooks_do_not_import_pysaml2():
    code = (
        "import sys, django; django.setup();"
        "from django.urls import resolve; resolve('/konto/logga-in/');"
        "import wagtail_learning.identity.views, wagtail_learning.identity.wagtail_hooks;"
        "loaded = sorted(m for m in sys.modules if m == 'saml2' or m.startswith('saml2.'));"
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    result = run("-c", code)
    assert result.returncode == 0, result.stdout + result.stderr
