"""The production settings plus the benchmarks' baselines (bench.urls): the settings of
bench/topology.py's app servers and workers, so that the heartbeat and the one-UPDATE view
are measured on the same servers in the same run.

One more, for the topology run only: how long a certificate waits for its render task
before the minute sweep takes the task as lost (a task a SIGKILLed cluster had taken from
Redis). Production's 5 minutes would make the run wait that long for the queue to settle;
the bench sets LMS_BENCH_PENDING_GRACE_SECONDS (30) so the sweep's recovery shows within
the run. Nothing else differs from production."""

import os

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
if os.environ.get("LMS_BENCH_PENDING_GRACE_SECONDS"):
    CERTIFICATES_PENDING_GRACE_SECONDS = int(os.environ["LMS_BENCH_PENDING_GRACE_SECONDS"])
