#!/usr/bin/env bash
# Serve the demo on http://127.0.0.1:8000/ (or PORT) together with a django-q2 worker.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.dev}"
py=.venv/bin/python
web_port="${PORT:-8000}"
case "$web_port" in
  ''|*[!0-9]*) echo "==> PORT must be a port number, not '$web_port'" >&2; exit 2 ;;
esac
if $py - "$web_port" <<'PY'
import socket, sys
with socket.socket() as s:
    sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
PY
then
  echo "==> Port $web_port is in use; run on another one: PORT=8001 make demo" >&2
  exit 1
fi
# Links in emails and certificates point at this server.
export WAGTAILADMIN_BASE_URL="${WAGTAILADMIN_BASE_URL:-http://127.0.0.1:$web_port}"

# LMS_DEMO_IDP=1: a local OpenID Connect provider (oidc-provider-mock) signs Huddinge
# kommun's staff in; "Logga in med Huddinge kommun" appears on the login page. Off by default.
if [ "${LMS_DEMO_IDP:-0}" = 1 ]; then
  port="${LMS_DEMO_IDP_PORT:-9400}"
  if ! $py -c 'import oidc_provider_mock' 2>/dev/null; then
    echo "==> Installing the demo identity provider (pinned in requirements-dev.lock)"
    grep -E '^(oidc-provider-mock|Authlib|Flask|blinker|itsdangerous|Jinja2|htpy|uvicorn|httpx|httpcore|h11|anyio|click|Werkzeug|MarkupSafe)==' \
      requirements-dev.lock > .venv/demo-idp.txt
    .venv/bin/python -m pip install -q --disable-pip-version-check -r .venv/demo-idp.txt
  fi
  export LMS_IDP_SLUG=huddinge LMS_IDP_ORGANISATION="Huddinge kommun" LMS_IDP_PROTOCOL=oidc \
    LMS_IDP_OIDC_DISCOVERY_URL="http://127.0.0.1:$port" LMS_IDP_OIDC_CLIENT_ID=lms-demo \
    LMS_IDP_OIDC_CLIENT_SECRET=demo LMS_IDP_DOMAINS=huddinge.se \
    LMS_IDP_CLAIM_EMPLOYEE_NUMBER=employee_number
  LMS_DEMO_IDP_PORT=$port $py scripts/demo_idp.py &
  idp=$!
fi

$py manage.py migrate --noinput
$py manage.py seed_demo
[ "${LMS_DEMO_IDP:-0}" = 1 ] && $py manage.py identity_from_environment
$py manage.py qcluster &
worker=$!
trap 'kill $worker ${idp:-} 2>/dev/null || true; wait $worker ${idp:-} 2>/dev/null || true' EXIT INT TERM
echo
echo "  Demo running on http://127.0.0.1:$web_port/   (admin: http://127.0.0.1:$web_port/admin/)"
cat <<'MSG'
  Accounts (password "demo" for all, demo only):
    learner  a member of staff taking courses
    editor   training coordinator: edits courses, lectures, quizzes (not a superuser)
    hr       HR / coordinator for Huddinge kommun: reports, imports, certificates
    hr2      HR / coordinator for Botkyrka kommun: sees only Botkyrka's people
    admin    superuser
    hr-sundbyberg, hr-jarfalla, hr-vasby, hr-upplands-bro, editor-sundbyberg
             the minorities series that Sundbyberg shares with three municipalities
    pitea, kontakt, kontakt2
             Piteå's course for businesses and associations (external participants)
  The README's Quick start says what each account shows.
  With LMS_DEMO_IDP=1: "Logga in med Huddinge kommun" on the login page, then choose
  "huddinge-learner" at the demo provider (signs in as learner) or "huddinge-new-hire".
  Stop with Ctrl+C.

MSG
$py manage.py runserver "127.0.0.1:$web_port"
