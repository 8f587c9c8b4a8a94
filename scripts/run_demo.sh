#!/usr/bin/env bash
# Serve the demo on http://127.0.0.1:8000/ together with a django-q2 worker.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.dev}"
py=.venv/bin/python

$py manage.py migrate --noinput
$py manage.py seed_demo
$py manage.py qcluster &
worker=$!
trap 'kill $worker 2>/dev/null || true; wait $worker 2>/dev/null || true' EXIT INT TERM
cat <<'MSG'

  Demo running on http://127.0.0.1:8000/   (admin: http://127.0.0.1:8000/admin/)
  Accounts (password "demo" for all, demo only):
    learner  a member of staff taking courses
    editor   training coordinator: edits courses, lectures, quizzes (not a superuser)
    hr       HR / coordinator for Huddinge kommun: reports, imports, certificates
    hr2      HR / coordinator for Botkyrka kommun: sees only Botkyrka's people
    admin    superuser
  Stop with Ctrl+C.

MSG
$py manage.py runserver 127.0.0.1:8000
