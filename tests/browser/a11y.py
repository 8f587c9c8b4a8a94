"""axe-core in the browser tests: the pinned npm package (package.json, package-lock.json
beside this file) injected into the page by Playwright; a page passes with no serious or
critical violation of WCAG 2.2 A/AA (2.2's rules include target size, 2.5.8).

Besides axe: `focus_problems` (2.4.7, every focusable element shows a focus indicator),
`focus_appearance_problems` on our own pages (also 1.4.11, the indicator has 3:1 against
what is beside it, and 2.4.11, our content does not hide it) and `scrolls_sideways` (1.4.10,
no sideways scrolling at 320 px)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}


@dataclass(frozen=True)
class KnownBarrier:
    """A finding inside Wagtail's own admin that we cannot fix in our templates: allowed on
    admin pages only, and listed as a known barrier in the accessibility statement."""

    check: str  # an axe rule id, "focus" (2.4.7) or "reflow" (1.4.10)
    target: str  # the start of the axe node's selector, or of the element's description
    criterion: str  # the WCAG success criterion, as the statement names it
    reason: str


KNOWN_WAGTAIL_BARRIERS: list[KnownBarrier] = [
    KnownBarrier(
        "aria-input-field-name",
        'div[aria-describedby="placeholder-',
        "4.1.2",
        "Wagtail's rich text editor (Draftail) is a contenteditable role=textbox with no "
        "accessible name of its own; the field's label is not tied to it (Wagtail's markup).",
    ),
    KnownBarrier(
        "aria-input-field-name",
        ".notranslate",
        "4.1.2",
        "The same Draftail editor, when axe can only name it by its class.",
    ),
    KnownBarrier(
        "reflow",
        "DIV.w-relative w-h-slim-header",
        "1.4.10",
        "Wagtail's admin header: its breadcrumb trail does not wrap at 320 px and the page "
        "scrolls sideways (Wagtail's markup and CSS).",
    ),
    KnownBarrier(
        "reflow",
        "DIV.w-minimap",
        "1.4.10",
        "Wagtail's editor minimap (the panel list beside the form) is wider than a 320 px "
        "window (Wagtail's markup and CSS).",
    ),
    KnownBarrier(
        "scrollable-region-focusable",
        "#main",
        "2.1.1",
        "Wagtail's admin layout makes its <main id=main> the scrolling container; on a page "
        "whose content holds no link axe wants that container itself focusable. Wagtail's "
        "markup; its skip link targets it.",
    ),
]


def admin_allowed(check: str, target: str) -> bool:
    return any(
        barrier.check == check and target.startswith(barrier.target)
        for barrier in KNOWN_WAGTAIL_BARRIERS
    )


def nothing_allowed(check: str, target: str) -> bool:
    return False


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


def settle(page) -> None:
    """Wait for the page's finite animations and transitions (Wagtail's messages fade in:
    axe measured their contrast half-way)."""
    page.evaluate(
        """() => Promise.race([
             Promise.all(document.getAnimations()
               .filter(a => a.effect && a.effect.getTiming().iterations !== Infinity)
               .map(a => a.finished.catch(() => null))),
             new Promise(resolve => setTimeout(resolve, 3000))])"""
    )


def axe_violations(page, *, context: str = "document", allowed=admin_allowed) -> list[dict]:
    """The serious and critical WCAG A/AA violations on the page as it is now, but for the
    nodes `allowed(rule id, selector)` lets pass."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which our Content-Security-Policy (no
        # inline scripts) does not govern; a <script> tag would be refused.
        page.evaluate(ensure_axe().read_text(encoding="utf-8"))
    settle(page)
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate(
        "([context, options]) => axe.run(context === 'document' ? document : context, options)",
        [context, options],
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        nodes = [
            node
            for node in violation["nodes"]
            if not allowed(violation["id"], " ".join(map(str, node["target"])))
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


# --- Focus: visible (2.4.7), its contrast (1.4.11), not obscured (2.4.11) ---------------

FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), "
    "select:not([disabled]), textarea:not([disabled]), summary, video[controls], "
    "[tabindex]:not([tabindex='-1'])"
)

# What a focus indicator may change: an outline, a box shadow, a border, the background or
# an underline. Snapshotted for every focusable element before anything has focus.
SNAPSHOT_STYLES = """(selector) => {
  const props = ['outlineStyle', 'outlineWidth', 'outlineColor', 'boxShadow',
                 'borderTopColor', 'borderBottomColor', 'borderBottomWidth',
                 'backgroundColor', 'textDecorationLine'];
  const visible = el => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden';
  };
  window.__a11yProps = props;
  window.__a11yElements = [...document.querySelectorAll(selector)].filter(visible);
  window.__a11yBefore = window.__a11yElements.map(el => {
    const style = getComputedStyle(el);
    return props.map(p => style[p]).join('|');
  });
  return window.__a11yElements.length;
}"""

# Called once the keyboard has been used (Chromium shows :focus-visible for focus() calls
# that follow a key press): focuses each element in turn and names those that look the same
# focused as not (2.4.7). A visually hidden skip link that appears on focus counts as shown.
# With `measure`, also what the indicator looks like (1.4.11 for the indicator, the bar of
# 2.4.13) and whether it can be seen once focused (2.4.11):
#  - the indicator is what focus changed: an outline or box shadow (a ring, against the
#    background around the element: the first opaque background colour up the tree, the
#    translucent ones on the way composited over it; against the element's own background
#    when the ring is drawn inside it), a border or background colour (against its colour
#    unfocused). An indicator of several parts passes when one part has 3:1: the house's
#    ring is yellow outside (on the dark header) and ink inside (on white);
#  - obscured: the element is focused again as the keyboard would (scrolled into view by
#    the browser), and five points of it (the centre, points near the corners) are hit
#    tested; when each lands on an element that is neither it, inside it nor around it
#    (a fixed banner, a sticky header), focus is hidden by our content.
FOCUS_EACH = """([limit, measure]) => {
  const describe = el => (el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string'
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    ' "' + (el.textContent || el.value || el.getAttribute('aria-label') || '')
       .trim().slice(0, 40) + '"');
  const rgba = text => {
    const m = /rgba?\\(([^)]+)\\)/.exec(text || '');
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3]));
  const luminance = c => {
    const [r, g, b] = c.slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const backdrop = start => {
    const layers = [];
    for (let node = start; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour && colour[3] > 0) {
        layers.push(colour);
        if (colour[3] >= 1) break;
      }
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255]);
  };
  const css = c => 'rgb(' + c.slice(0, 3).map(Math.round).join(', ') + ')';
  // Each part of the indicator: [what, its colour, the colour beside it].
  const parts = (el, style, before) => {
    const found = [];
    const [bStyle, bWidth, bColour, bShadow, bTop, bBottom, , bBackground] = before.split('|');
    const outside = backdrop(el.parentElement);
    const own = backdrop(el);
    const outlined = style.outlineStyle !== 'none' && style.outlineStyle !== 'hidden' &&
      parseFloat(style.outlineWidth) > 0;
    if (outlined && (style.outlineStyle !== bStyle || style.outlineWidth !== bWidth ||
                     style.outlineColor !== bColour)) {
      const colour = rgba(style.outlineColor);
      const beside = parseFloat(style.outlineOffset) < 0 ? own : outside;
      if (colour) found.push(['outline', over(colour, beside), beside]);
      // Chromium's own ring (outline-style: auto) is two rings, dark and white.
      if (style.outlineStyle === 'auto') found.push(['outline', [255, 255, 255], beside]);
    }
    if (style.boxShadow !== bShadow && style.boxShadow !== 'none') {
      const px = '\\\\s+(-?[\\\\d.]+)px';  // colour, x, y, blur, spread (Chromium's order)
      const shadow = new RegExp('(rgba?\\\\([^)]+\\\\))' + px.repeat(4) + '(\\\\s+inset)?', 'g');
      for (const m of style.boxShadow.matchAll(shadow)) {
        const colour = rgba(m[1]);
        if (!colour || parseFloat(m[5]) <= 0) continue;
        const beside = m[6] ? own : outside;
        found.push(['box-shadow', over(colour, beside), beside]);
      }
    }
    for (const [name, now, was] of [['border', style.borderTopColor, bTop],
                                    ['border', style.borderBottomColor, bBottom],
                                    ['background', style.backgroundColor, bBackground]]) {
      const [a, b] = [rgba(now), rgba(was)];
      if (now !== was && a && b) found.push([name, over(a, outside), over(b, outside)]);
    }
    return found;
  };
  const hidden = el => {
    const box = el.getBoundingClientRect();
    const [w, h] = [window.innerWidth, window.innerHeight];
    const dx = Math.min(3, box.width / 2), dy = Math.min(3, box.height / 2);
    const points = [[box.left + box.width / 2, box.top + box.height / 2],
                    [box.left + dx, box.top + dy], [box.right - dx, box.top + dy],
                    [box.left + dx, box.bottom - dy], [box.right - dx, box.bottom - dy]]
      .filter(([x, y]) => x >= 0 && y >= 0 && x < w && y < h);
    if (!points.length) return 'outside the window';
    const seen = points.some(([x, y]) => {
      const hit = document.elementFromPoint(x, y);
      return hit && (hit === el || el.contains(hit) || hit.contains(el));
    });
    if (seen) return null;
    const cover = document.elementFromPoint(...points[0]);
    return cover ? 'under ' + describe(cover).slice(0, 60) : 'not painted';
  };
  const unchanged = [], faint = [], obscured = [];
  const elements = window.__a11yElements.slice(0, limit);
  elements.forEach((el, i) => {
    const before = window.__a11yBefore[i];
    const beforeBox = el.getBoundingClientRect();
    el.focus({preventScroll: true});
    if (document.activeElement !== el) return;  // not focusable after all
    const style = getComputedStyle(el);
    const after = window.__a11yProps.map(p => style[p]).join('|');
    const box = el.getBoundingClientRect();
    const moved = Math.abs(box.width - beforeBox.width) > 2 ||
      Math.abs(box.left - beforeBox.left) > 2;
    if (after === before && !moved) {
      unchanged.push(describe(el));
      return;
    }
    if (!measure) return;
    const found = parts(el, style, before);
    if (found.length) {
      const best = found.reduce((a, b) => ratio(a[1], a[2]) >= ratio(b[1], b[2]) ? a : b);
      const r = ratio(best[1], best[2]);
      if (r < 3) {
        faint.push(describe(el) + ': ' + (Math.floor(r * 10) / 10).toFixed(1) + ':1 (' +
                   best[0] + ' ' + css(best[1]) + ' on ' + css(best[2]) + ')');
      }
    }
    el.blur();
    el.focus();  // as the keyboard would: the browser scrolls it into view
    const where = hidden(el);
    if (where) obscured.push(describe(el) + ': ' + where);
  });
  document.activeElement && document.activeElement.blur && document.activeElement.blur();
  window.scrollTo(0, 0);
  return {'2.4.7': unchanged, '1.4.11': faint, '2.4.11': obscured};
}"""


def _focus_findings(page, *, limit: int, measure: bool) -> dict[str, list[str]]:
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.evaluate(SNAPSHOT_STYLES, FOCUSABLE)
    page.keyboard.press("Shift")  # keyboard modality: focus() calls now show :focus-visible
    return page.evaluate(FOCUS_EACH, [limit, measure])


def focus_problems(page, *, limit: int = 120, admin: bool = False) -> list[str]:
    """The focusable elements on the page (up to `limit`, in document order) whose look does
    not change when they have keyboard focus; on admin pages, but for the known barriers."""
    found = _focus_findings(page, limit=limit, measure=False)["2.4.7"]
    allowed = admin_allowed if admin else nothing_allowed
    return [element for element in found if not allowed("focus", element)]


def focus_appearance_problems(page, *, limit: int = 120) -> dict[str, list[str]]:
    """On our own pages: per criterion, the focusable elements (up to `limit`) whose focus
    does not show (2.4.7), whose indicator has less than 3:1 against what is beside it
    (1.4.11), or which our content hides once focused (2.4.11 Focus Not Obscured)."""
    return _focus_findings(page, limit=limit, measure=True)


# --- Reflow (WCAG 1.4.10) -------------------------------------------------------------------

# What sticks out past the right edge of the window, the outermost such elements only (what
# to fix): "TAG.classes right-edge".
STICKING_OUT = """() => {
  const limit = document.documentElement.clientWidth + 1;
  const out = el => el.getBoundingClientRect().right > limit;
  return [...document.body.querySelectorAll('*')]
    .filter(el => out(el) && !(el.parentElement && out(el.parentElement)))
    .map(el => el.tagName + '.' + (typeof el.className === 'string' ? el.className : '') + ' ' +
         Math.round(el.getBoundingClientRect().right))
    .slice(0, 8);
}"""


WAGTAIL_REFLOW = (
    "Wagtail's own editing views (the page editor and explorer, the snippet and model "
    "listings and forms) are not built for a 320 px window: the header's breadcrumbs, the "
    "minimap, the side panels, comment buttons, date pickers and listing tables stick out "
    "and the page scrolls sideways. Our own admin views (HR, events, captions) reflow."
)


def scrolls_sideways(page, *, admin: bool = False) -> list[str]:
    """Empty when the page as it is now does not scroll sideways; else what sticks out."""
    width = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    if width[0] <= width[1]:
        return []
    culprits = page.evaluate(STICKING_OUT)
    if admin and all(admin_allowed("reflow", culprit) for culprit in culprits):
        return []
    return [f"{width[0]} px wide in {width[1]} px: {culprits}"]
