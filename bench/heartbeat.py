"""Heartbeat endpoint vs a minimal Django view doing one UPDATE, in one run; course page
queries with 4 and 50 modules; the learner dashboard (home page) with 1 and 10 courses
against the same page for a learner without courses (the bare page).

    .venv/bin/python bench/heartbeat.py [--beats 300]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/heartbeat.py

Prints p50/p95 per request (ms), queries per request, and the ratio of the two p50s. The
heartbeats and the baseline's requests alternate, so the machine's load falls on both.
"""

from __future__ import annotations

import argparse
import json
import time

from _setup import django_test_database, percentile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--beats", type=int, default=300)
    parser.add_argument("--views", type=int, default=30, help="page views per measurement")
    args = parser.parse_args()

    with django_test_database() as connection:
        from django.test import Client, override_settings
        from django.test.utils import CaptureQueriesContext

        from tests.factories import (
            CoursePageFactory,
            LectureFactory,
            ModulePageFactory,
            UserFactory,
            enrol,
            enrolled_learner,
            lecture_step,
            reading_step,
            site_home,
        )

        lecture = LectureFactory()
        step = lecture_step(lecture)
        course = CoursePageFactory()
        module = ModulePageFactory(parent=course, steps=[step, reading_step()])
        user = enrolled_learner(course)
        client = Client()
        client.force_login(user)

        def beat_body(seq: int) -> str:
            # One 10-second beat's worth of playing, as the player sends it.
            start = (seq * 10) % 700
            return json.dumps(
                {
                    "module_id": module.pk,
                    "step_id": step["id"],
                    "session_id": "bench-session-1",
                    "seq": seq,
                    "ranges": [[start, start + 10]],
                    "position": start + 10,
                }
            )

        sequence = iter(range(1, 10_000_000))

        def run(urls: tuple[str, ...], n: int) -> list[tuple[list[float], float]]:
            """n requests to each of `urls`, taken in turn (one to each, then again), so
            that the machine's load falls on all of them alike. Per URL: the timings and
            the queries per request."""
            # Every beat a new sequence number: a repeated one is ignored (and cheaper).
            timings: dict[str, list[float]] = {url: [] for url in urls}
            queries: dict[str, int] = dict.fromkeys(urls, 0)
            for _ in range(n):
                for url in urls:
                    body = beat_body(next(sequence))
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        response = client.post(url, body, content_type="application/json")
                        timings[url].append((time.perf_counter() - started) * 1000)
                    queries[url] += len(captured)
                    assert response.status_code == 200, response.content
            return [(timings[url], queries[url] / n) for url in urls]

        with override_settings(ROOT_URLCONF="bench.urls"):
            client.post("/api/v1/progress/heartbeat", beat_body(0), content_type="application/json")
            urls = ("/api/v1/progress/heartbeat", "/bench/baseline/")
            run(urls, 20)  # warm up
            (hb, hb_queries), (base, base_queries) = run(urls, args.beats)

        vendor = connection.vendor
        print(f"database: {vendor}; {args.beats} requests each, alternating")
        print(
            f"heartbeat  p50 {percentile(hb, 0.5):6.2f} ms  p95 {percentile(hb, 0.95):6.2f} ms  "
            f"queries/request {hb_queries:.1f}"
        )
        print(
            f"baseline   p50 {percentile(base, 0.5):6.2f} ms  "
            f"p95 {percentile(base, 0.95):6.2f} ms  "
            f"queries/request {base_queries:.1f}"
        )
        print(f"ratio p50 heartbeat/baseline: {percentile(hb, 0.5) / percentile(base, 0.5):.2f}")

        for count in (4, 50):
            big = CoursePageFactory()
            previous = None
            for i in range(count):
                previous = ModulePageFactory(
                    parent=big,
                    steps=[reading_step()],
                    prerequisites=[previous] if previous else None,
                    title=f"Modul {i}",
                )
            learner = enrolled_learner(big)
            page_client = Client()
            page_client.force_login(learner)
            page_client.get(big.url)
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = page_client.get(big.url)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200
            print(f"course page with {count:2d} modules: {len(queries)} queries, {elapsed:.1f} ms")

        def page_p50(page_client, url: str) -> tuple[float, int]:
            page_client.get(url)
            timings = []
            with CaptureQueriesContext(connection) as queries:
                for _ in range(args.views):
                    started = time.perf_counter()
                    response = page_client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
            return percentile(timings, 0.5), len(queries) // args.views

        home = site_home()
        bare_client = Client()
        bare_client.force_login(UserFactory())
        dashboards = {}
        for count in (1, 10):
            learner = UserFactory()
            for number in range(count):
                course = CoursePageFactory(title=f"Bänkkurs {count}-{number}")
                first = ModulePageFactory(
                    parent=course, steps=[lecture_step(LectureFactory()), reading_step()]
                )
                ModulePageFactory(parent=course, steps=[reading_step()], prerequisites=[first])
                enrol(learner, course)
            dashboard_client = Client()
            dashboard_client.force_login(learner)
            dashboards[count] = dashboard_client
        # Interleaved, so that the machine's noise falls on both alike.
        bare_p50, bare_queries = page_p50(bare_client, home.url)
        for count, dashboard_client in dashboards.items():
            p50, queries = page_p50(dashboard_client, home.url)
            print(
                f"dashboard with {count:2d} courses: {queries} queries, p50 {p50:.1f} ms, "
                f"ratio to the bare page ({bare_queries} queries, p50 {bare_p50:.1f} ms): "
                f"{p50 / bare_p50:.2f}"
            )


if __name__ == "__main__":
    main()
