"""HR's forecast (issue 24) on the scale data, against the compliance matrix of the same
municipality measured in the same run (the baseline: the report HR already reads there).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/forecast.py \
        --learners 10000 --progress 300000

Builds bench/compliance.py's region (four municipalities of about 50 units each, 30
courses, recurring assignments, `--learners` people and about `--progress` rows of
enrolments, completions and step progress). Prints, for one municipality as its HR: the
matrix (the baseline) and the forecast engine (time, statements, ratio); the two admin
pages (the compliance dashboard and the forecast page, HTML); the forecast's people list
(a page of 100, 90 days, for the municipality's most common course) and its CSV and XLSX
exports (first byte, whole file). Each line says whether it is under a second.
"""

from __future__ import annotations

import argparse
import random
import time

from _setup import django_test_database
from compliance import build, counted, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--progress", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        connection.settings_dict["TEST"]["NAME"] = f"{name}_bench_forecast"
    with django_test_database() as connection:
        run(args, connection)


def verdict(seconds: float) -> str:
    return "under 1 s" if seconds < 1 else "OVER 1 s"


def run(args, connection) -> None:
    from django.test import Client

    from tests.factories import hr_user
    from wagtail_learning.compliance.api import get_compliance_matrix, get_forecast

    rng = random.Random(args.seed)
    started = time.perf_counter()
    world = build(args, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"database: {connection.vendor}; built in {time.perf_counter() - started:.0f} s")
    municipality = world["municipalities"][2]
    hr = hr_user(municipality, username="bench-hr")

    def engine(fn):
        with counted(connection) as queries:
            fn()
        result, seconds = timed(fn, args.repeat)
        return result, seconds, len(queries)

    matrix, matrix_s, matrix_q = engine(lambda: get_compliance_matrix(user=hr, parent=municipality))
    audience = sum(cell.audience for cell in matrix.total.cells.values())
    print(
        f"baseline: compliance matrix of {municipality.name} ({len(matrix.rows)} rows, "
        f"{len(matrix.courses)} courses, {audience} person-courses): "
        f"{matrix_s * 1000:.0f} ms, {matrix_q} queries"
    )
    forecast, forecast_s, forecast_q = engine(lambda: get_forecast(user=hr, parent=municipality))
    lapsing = sum(cell.lapsing[90] for cell in forecast.total.cells.values())
    due = sum(cell.coming_due[90] for cell in forecast.total.cells.values())
    missing = sum(
        1 for row in forecast.rows for cell in row.cells.values() if cell.on_course is False
    )
    print(
        f"forecast engine: {forecast_s * 1000:.0f} ms, {forecast_q} queries, "
        f"{forecast_s / matrix_s:.2f} x the matrix ({verdict(forecast_s)}); "
        f"within 90 days {lapsing} lapse, {due} come due; {missing} unit-courses will miss"
    )

    client = Client()
    client.force_login(hr)

    def page(url, params=None):
        client.get(url, params)  # warm-up
        with counted(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        _r, seconds = timed(lambda: client.get(url, params), args.repeat)
        return seconds, len(queries)

    dashboard_s, dashboard_q = page("/admin/hr/compliance/")
    print(
        f"compliance dashboard page: {dashboard_s * 1000:.0f} ms, {dashboard_q} queries "
        f"({verdict(dashboard_s)})"
    )
    view_s, view_q = page("/admin/hr/forecast/")
    print(
        f"forecast page: {view_s * 1000:.0f} ms, {view_q} queries, "
        f"{view_s / dashboard_s:.2f} x the dashboard page, {view_s / matrix_s:.2f} x the "
        f"matrix ({verdict(view_s)})"
    )
    course = max(forecast.courses, key=lambda c: forecast.total.cells[c.course_id].audience)
    people_url = f"/admin/hr/forecast/unit/{municipality.pk}/course/{course.course_id}/"
    people_s, people_q = page(people_url, {"days": 90})
    listed = client.get(people_url, {"days": 90}).context["people_page"].paginator.count
    print(
        f"forecast people, {course.title}, 90 days ({listed} people, first page of 100): "
        f"{people_s * 1000:.0f} ms, {people_q} queries, {people_s / matrix_s:.2f} x the "
        f"matrix ({verdict(people_s)})"
    )
    for fmt in ("csv", "xlsx"):
        started = time.perf_counter()
        response = client.get(people_url, {"days": 90, "export": fmt})
        chunks = iter(response.streaming_content)
        size = len(next(chunks))
        first = time.perf_counter() - started
        size += sum(len(chunk) for chunk in chunks)
        whole = time.perf_counter() - started
        print(
            f"forecast people export {fmt.upper()} ({listed} rows, {size // 1024} KiB): "
            f"first byte {first * 1000:.0f} ms, whole {whole * 1000:.0f} ms "
            f"({verdict(whole)})"
        )
    started = time.perf_counter()
    response = client.get("/admin/hr/forecast/", {"export": "csv"})
    size = sum(len(chunk) for chunk in response.streaming_content)
    whole = time.perf_counter() - started
    print(f"forecast export CSV ({size // 1024} KiB): {whole * 1000:.0f} ms ({verdict(whole)})")


if __name__ == "__main__":
    main()
