"""axe-core in the browser tests: the pinned npm package (package.json, package-lock.json
beside this file) injected into the page by Playwright; a page passes with no serious or
critical violation of WCAG 2.1 A/AA."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

# Wagtail's own admin widgets, excluded rule by rule: {rule id: [the nodes left out]}.
WAGTAIL_RULES: dict[str, list[str]] = {
    # Wagtail's admin layout makes its <main id="main"> the scrolling container; on a page
    # whose content holds no link (a training record with nothing to open) axe wants that
    # container itself focusable. It is Wagtail's markup, and its skip link targets it.
    "scrollable-region-focusable": ["#main"],
}


def ensure_axe() -> Path:
    """The axe-core script, installed from the lock file with `npm ci` when missing."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "axe-core is not installed and npm is missing: run `npm ci` in tests/browser"
            )
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)  # noqa: S603 (fixed arguments)
    return AXE


def axe_violations(page, *, context: str = "document") -> list[dict]:
    """The serious and critical WCAG A/AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which our Content-Security-Policy (no
        # inline scripts) does not govern; a <script> tag would be refused.
        page.evaluate(ensure_axe().read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate(
        "([context, options]) => axe.run(context === 'document' ? document : context, options)",
        [context, options],
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        skipped = WAGTAIL_RULES.get(violation["id"], [])
        nodes = [
            node
            for node in violation["nodes"]
            if not any(" ".join(map(str, node["target"])) == selector for selector in skipped)
        ]
        if nodes:
            found.append({**violation, "nodes": nodes})
    return found


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


def assert_accessible(page, label: str = "") -> None:
    violations = axe_violations(page)
    assert not violations, f"axe on {label or page.url}:\n{describe(violations)}"
