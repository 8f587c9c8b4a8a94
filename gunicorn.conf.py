"""gunicorn's settings for the app servers. gunicorn reads this file from the directory it is
started in, the project root, so the README's `gunicorn config.wsgi -w 4 -b ...` uses it.

Keep-alive: nginx keeps connections to the app servers open (`keepalive` in its upstream)
and the sync worker would close each after one request, so every heartbeat paid a new
connection on both sides. The threaded worker with one thread serves one request at a time
per process, as the sync worker does, and keeps the connection for the next request.
Measured with bench/topology.py's probe on a shared machine (decision 0027): the client's
CPU per request halves; the app server's was 14 % lower in one pair of runs and the same in
another, within the noise. `--gunicorn-arg=--worker-class=sync` compares on a quiet one.
"""

worker_class = "gthread"
threads = 1
keepalive = 5
