"""The course page (Wagtail routing, an enrolled learner and a visitor) with 4 and 50
modules, against a bare Wagtail page serving the same HTML bytes, in one run.

    .venv/bin/python bench/course_page.py [--views 60]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/course_page.py

The bare page is a plain `wagtailcore.Page` beside the course (same depth, so the same
routing and view-restriction checks) whose `serve` returns the course page's HTML as it
was rendered for the learner: what Wagtail itself costs for a page of that size. A second
bare page also asks who the user is (the session and the user: what any page that says
"Log out (name)", as this HTML does, must read). The bare page is also served by Wagtail
as it ships (bench.urls: the site from the database, the path walked a page at a time),
since the project's routing (home.routing) speeds up every page, the bare one too.
Prints queries per request, p50 per request (ms) and the ratios of the p50s. The
requests are interleaved, so that the machine's noise falls on all alike.
"""

from __future__ import annotations

import argparse
import time

from _setup import django_test_database, percentile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--views", type=int, default=60, help="page views per measurement")
    args = parser.parse_args()

    with django_test_database() as connection:
        from django.http import HttpResponse
        from django.test import Client, override_settings
        from django.test.utils import CaptureQueriesContext
        from wagtail.models import Page

        from tests.factories import (
            CoursePageFactory,
            LectureFactory,
            ModulePageFactory,
            QuizFactory,
            UserFactory,
            course_index,
            enrol,
            lecture_step,
            quiz_step,
            reading_step,
        )

        bare_html: dict[int, bytes] = {}
        knows_user: set[int] = set()
        page_serve = Page.serve

        def serve(self, request, *args, **kwargs):
            if type(self) is Page and self.pk in bare_html:
                if self.pk in knows_user:
                    assert request.user.is_authenticated
                return HttpResponse(bare_html[self.pk])
            return page_serve(self, request, *args, **kwargs)

        Page.serve = serve

        quiz = QuizFactory()
        outside = ModulePageFactory(title="Introduktion")
        cases = []
        for count in (4, 50):
            course = CoursePageFactory(title=f"Bänkkurs {count}")
            previous = outside
            for number in range(count):
                previous = ModulePageFactory(
                    parent=course,
                    title=f"Modul {number}",
                    steps=[lecture_step(LectureFactory()), reading_step(), quiz_step(quiz)],
                    prerequisites=[previous],
                )
            learner = UserFactory()
            enrol(learner, course)
            learner_client = Client()
            learner_client.force_login(learner)
            html = learner_client.get(course.url).content
            bare = course_index().add_child(instance=Page(title=f"Bar sida {count}"))
            bare_html[bare.pk] = html
            bare_user = course_index().add_child(instance=Page(title=f"Bar sida {count} inloggad"))
            bare_html[bare_user.pk] = html
            knows_user.add(bare_user.pk)
            cases.append((count, course.url, learner_client, bare.url, bare_user.url, len(html)))
        visitor = Client()

        def one(client, url: str) -> tuple[float, int]:
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            return elapsed, len(queries)

        print(f"database: {connection.vendor}; {args.views} views each")
        for count, url, learner_client, bare_url, bare_user_url, size in cases:
            runs = {"learner": (learner_client, url), "visitor": (visitor, url)}
            runs["bare"] = (learner_client, bare_url)
            runs["bare_user"] = (learner_client, bare_user_url)
            runs["bare_stock"] = (learner_client, "/bench/stock" + bare_url)
            timings: dict[str, list[float]] = {name: [] for name in runs}
            queries: dict[str, int] = {}
            with override_settings(ROOT_URLCONF="bench.urls"):
                for client, target in runs.values():  # warm up: site, URL and module caches
                    one(client, target)
                    one(client, target)
                for _ in range(args.views):
                    for name, (client, target) in runs.items():
                        elapsed, queries[name] = one(client, target)
                        timings[name].append(elapsed)
            bare_p50 = percentile(timings["bare"], 0.5)
            user_p50 = percentile(timings["bare_user"], 0.5)
            stock_p50 = percentile(timings["bare_stock"], 0.5)
            print(
                f"{count:2d} modules: bare Wagtail page {queries['bare']} queries, "
                f"p50 {bare_p50:.1f} ms; knowing its user {queries['bare_user']} queries, "
                f"p50 {user_p50:.1f} ms; served by stock Wagtail {queries['bare_stock']} "
                f"queries, p50 {stock_p50:.1f} ms ({size // 1024} KiB of HTML)"
            )
            for name in ("learner", "visitor"):
                p50 = percentile(timings[name], 0.5)
                print(
                    f"{count:2d} modules: course page, {name:7s} {queries[name]:2d} queries, "
                    f"p50 {p50:.1f} ms, ratio to the bare page {p50 / bare_p50:.2f}, "
                    f"to the one knowing its user {p50 / user_p50:.2f}, "
                    f"to the one served by stock Wagtail {p50 / stock_p50:.2f}"
                )


if __name__ == "__main__":
    main()
