"""Issue 24's editor reports on scale data: a lecture's audience retention over 100 000
watch rows and a quiz's item analysis over 50 000 answers, each against a baseline
measured in the same run on the same rows.

    .venv/bin/python bench/insight.py [--viewers 50000] [--attempts 5000] [--repeat 5] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/insight_bench .venv/bin/python bench/insight.py

Data: `--viewers` learners watched a 30-minute lecture shown in two modules (two watch
rows each: 100 000 rows by default), most from the start, a third stopping near 12:00,
some skipping ahead, a fifth playing a part again; `--attempts` learners took a
10-question quiz once (10 answers each: 50 000 answers), plus a second attempt for a
fifth of them (which the analysis leaves out).

Baselines, in the same run: reading the same rows and nothing else (the columns the
report reads, decoded: what any report over them must pay), and one SQL aggregate over
them (count and sum: the least the database can do). Prints p50 of `--repeat` runs, the
queries, and the ratios; the admin page (the engine's figures plus the template and the
chart) is timed through the test client.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta

from _setup import django_test_database, percentile


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return percentile(times, 0.5), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--viewers", type=int, default=50_000)
    parser.add_argument("--attempts", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and its data for the next run"
    )
    args = parser.parse_args()

    with django_test_database(keep=args.keep) as connection:
        from django.contrib.auth import get_user_model
        from django.db.models import Count, Sum
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse
        from django.utils import timezone

        from tests.factories import (
            LectureChapterFactory,
            LectureFactory,
            ModulePageFactory,
            QuizFactory,
            SuperuserFactory,
            choice,
            lecture_step,
            quiz_step,
            single_choice,
        )
        from wagtail_learning.lms.models import QuizAttempt, StepProgress
        from wagtail_learning.modules.insight import (
            get_lecture_retention,
            get_quiz_item_analysis,
            lecture_steps,
        )

        print(f"database: {connection.vendor}")
        from wagtail_learning.modules.models import Lecture, Quiz

        if args.keep and Lecture.objects.filter(title="Bench").exists():
            lecture, quiz = Lecture.objects.get(title="Bench"), Quiz.objects.get(title="Bench")
            print("reusing the data of an earlier run (--keep)")
        else:
            rng = random.Random(24)
            built = time.perf_counter()
            duration = 1800.0
            lecture = LectureFactory(title="Bench", duration=timedelta(seconds=duration))
            for minute, title in [(0, "Inledning"), (6, "Lagen"), (12, "Fallen"), (24, "Slutord")]:
                LectureChapterFactory(lecture=lecture, start=timedelta(minutes=minute), title=title)
            questions = [
                single_choice(f"Fråga {i}", [choice("Rätt", correct=True), choice("Fel A"),
                                             choice("Fel B")])
                for i in range(10)
            ]  # fmt: skip
            quiz = QuizFactory(title="Bench", questions=questions)
            steps = [lecture_step(lecture), quiz_step(quiz)]
            modules = [
                ModulePageFactory(steps=steps),
                ModulePageFactory(steps=[lecture_step(lecture)]),
            ]
            User = get_user_model()
            people = max(args.viewers, args.attempts)
            User.objects.bulk_create(
                [User(username=f"bench{i}", password="!") for i in range(people)], batch_size=5000
            )
            user_ids = list(
                User.objects.filter(username__startswith="bench").values_list("pk", flat=True)
            )
            rows = []
            for user_id in user_ids[: args.viewers]:
                for module in modules:
                    step_id = next(s.step_id for s in module.step_specs if s.kind == "lecture")
                    end = (
                        duration
                        if rng.random() < 0.5
                        else rng.choice([720.0, rng.uniform(30, duration)])
                    )
                    watched = [[0.0, round(end, 1)]]
                    if rng.random() < 0.2 and end > 400:
                        watched = [[0.0, 300.0], [420.0, round(end, 1)]]
                    again = [[600.0, 660.0]] if rng.random() < 0.2 and end > 660 else []
                    rows.append(StepProgress(
                        user_id=user_id, module_id=module.pk, step_id=step_id, kind="lecture",
                        watched_ranges=watched, rewatched_ranges=again, duration_seconds=duration,
                        watched_seconds=sum(b - a for a, b in watched),
                    ))  # fmt: skip
            StepProgress.objects.bulk_create(rows, batch_size=5000)
            rules = quiz.get_lms_quiz_rules()
            revision = quiz.get_lms_revision()
            quiz_step_id = steps[1]["id"]
            attempts = []
            now = timezone.now()
            for index, user_id in enumerate(user_ids[: args.attempts]):
                ability = rng.random()
                numbers = [1, 2] if index % 5 == 0 else [1]
                for number in numbers:
                    answers = {}
                    for q_index, question in enumerate(rules.questions):
                        right = rng.random() < (0.97 if q_index == 0 else 0.2 + 0.7 * ability)
                        pick = question.choices[0] if right else rng.choice(question.choices[1:])
                        answers[question.question_id] = [pick.choice_id]
                    attempts.append(QuizAttempt(
                        user_id=user_id, module_id=modules[0].pk, step_id=quiz_step_id,
                        quiz_id=quiz.pk, revision=revision, number=number,
                        question_ids=[q.question_id for q in rules.questions], choice_order={},
                        answers=answers, submitted_at=now, score=0, points=0, max_points=10,
                    ))  # fmt: skip
            QuizAttempt.objects.bulk_create(attempts, batch_size=5000)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            answers = sum(len(a.answers) for a in attempts if a.number == 1)
            print(
                f"built in {time.perf_counter() - built:.0f} s: {len(rows)} watch rows, "
                f"{answers} answers in first attempts ({len(attempts)} attempts)"
            )

        pairs = lecture_steps(lecture)
        where = StepProgress.objects.filter(
            module_id__in=[m for m, _s in pairs], step_id__in=[s for _m, s in pairs]
        )
        columns = ("user_id", "watched_ranges", "rewatched_ranges", "duration_seconds")
        read_ms, _ = timed(lambda: list(where.values_list(*columns)), args.repeat)
        agg_ms, _ = timed(
            lambda: where.aggregate(n=Count("pk"), s=Sum("watched_seconds")), args.repeat
        )
        with CaptureQueriesContext(connection) as queries:
            retention_ms, retention = timed(lambda: get_lecture_retention(lecture), args.repeat)
        retention_queries = len(queries) // args.repeat
        print(
            f"retention: {retention.viewers} viewers, {len(retention.buckets)} buckets of "
            f"{retention.bucket_seconds} s, drop-offs at "
            f"{', '.join(f'{b.start:.0f}-{b.end:.0f} s' for b in retention.drop_offs)}"
        )
        print(f"  baseline read of the rows  p50 {read_ms:8.1f} ms")
        print(f"  baseline SQL aggregate     p50 {agg_ms:8.1f} ms")
        print(
            f"  retention (engine)         p50 {retention_ms:8.1f} ms, {retention_queries} "
            f"queries; ratio to the read {retention_ms / read_ms:.2f}, "
            f"to the aggregate {retention_ms / agg_ms:.1f}"
        )

        attempt_rows = QuizAttempt.objects.filter(
            quiz_id=quiz.pk, number=1, submitted_at__isnull=False
        )
        quiz_read_ms, _ = timed(
            lambda: list(
                attempt_rows.values_list("user_id", "revision_id", "question_ids", "answers")
            ),
            args.repeat,
        )
        with CaptureQueriesContext(connection) as queries:
            analysis_ms, analysis = timed(lambda: get_quiz_item_analysis(quiz), args.repeat)
        analysis_queries = len(queries) // args.repeat
        flagged = [
            f"question {analysis.items.index(i) + 1}: {', '.join(i.flags)}"
            for i in analysis.flagged
        ]
        kr20 = f"{analysis.kr20:.2f}" if analysis.kr20 is not None else "-"
        print(f"item analysis: {analysis.attempts} first attempts, KR-20 {kr20}; flagged {flagged}")
        print(f"  baseline read of the rows  p50 {quiz_read_ms:8.1f} ms")
        print(
            f"  item analysis (engine)     p50 {analysis_ms:8.1f} ms, {analysis_queries} queries; "
            f"ratio to the read {analysis_ms / quiz_read_ms:.2f}"
        )

        client = Client()
        admin = get_user_model().objects.filter(is_superuser=True).first() or SuperuserFactory()
        client.force_login(admin)
        for name, target in [
            ("retention page", reverse("insight_lecture_retention", args=[lecture.pk])),
            ("item analysis page", reverse("insight_quiz_item_analysis", args=[quiz.pk])),
        ]:
            assert client.get(target).status_code == 200
            with CaptureQueriesContext(connection) as queries:
                page_ms, _ = timed(lambda target=target: client.get(target), args.repeat)
            print(
                f"{name:19s} p50 {page_ms:8.1f} ms, {len(queries) // args.repeat} queries "
                f"(under a second: {page_ms < 1000})"
            )


if __name__ == "__main__":
    main()
