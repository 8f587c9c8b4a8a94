"""The production settings plus the benchmarks' baselines (bench.urls): the app server that
bench/topology.py's capacity probe loads, so that the heartbeat and the one-UPDATE view are
measured on the same server in the same run."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
