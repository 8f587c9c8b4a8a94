"""Reading back what learners did: audience retention of a lecture and item analysis of a
quiz (issue 24). Aggregates only: no figure here names or identifies a person.

The arithmetic is pure (`compute_retention`, `compute_item_analysis`); the reads
(`get_lecture_retention`, `get_quiz_item_analysis`) ask the database a fixed number of
queries whatever the number of learners, and hand the rows to the arithmetic.
docs/insight.md defines every figure.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from wagtail_learning.defaults import value

from .models import QuizAttempt, StepProgress
from .protocols import QuestionSpec
from .tracking import Range, merge_ranges

__all__ = [
    "ChoiceCount",
    "ItemAnalysis",
    "ItemFigures",
    "Retention",
    "RetentionBucket",
    "bucket_seconds_for",
    "compute_item_analysis",
    "compute_retention",
    "get_lecture_retention",
    "get_quiz_item_analysis",
]

# Bucket widths (seconds) a retention curve may use: the smallest that gives at most
# MAX_BUCKETS buckets, so a 3-minute lecture is read in 5-second steps and a two-hour
# recording in 2-minute steps, and the table stays short enough to read.
BUCKET_WIDTHS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600)
MAX_BUCKETS = 60
# A viewer "stopped" in a bucket when their furthest watched second lies in it and more
# than this many seconds before the end.
END_TOLERANCE_SECONDS = 2.0
# A drop-off point: a bucket where at least this share of the viewers stopped (the three
# largest are named).
DROP_OFF_SHARE = 0.05
TOP_POINTS = 3

# Item analysis flags (issue 24).
EASY_ABOVE = 0.9
HARD_BELOW = 0.2
DISCRIMINATION_BELOW = 0.2


# --- Retention ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionBucket:
    start: float
    end: float
    # The share of viewers watching, averaged over the bucket: the watched viewer-seconds
    # in it over viewers x its length. At 1-second buckets, the share watching that second.
    watching: float
    # The same for the parts viewers watched again (played after they had watched them).
    rewatched: float
    # Viewers whose furthest watched second lies in this bucket, before the end.
    stopped: int
    stopped_share: float

    @property
    def width(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Retention:
    viewers: int
    duration: float
    bucket_seconds: int
    buckets: tuple[RetentionBucket, ...]
    # Where the most viewers stopped (at least DROP_OFF_SHARE of them), largest first.
    drop_offs: tuple[RetentionBucket, ...]
    # The parts most watched again, largest first (none when nobody watched anything again).
    rewatched_most: tuple[RetentionBucket, ...]
    # Viewers who watched to the end (their furthest second within END_TOLERANCE_SECONDS).
    finished: int
    min_viewers: int = 1

    @property
    def enough(self) -> bool:
        return self.viewers >= self.min_viewers

    @property
    def viewers_missing(self) -> int:
        return max(self.min_viewers - self.viewers, 0)


def bucket_seconds_for(duration: float) -> int:
    """The bucket width for a lecture of `duration` seconds (see BUCKET_WIDTHS)."""
    for width in BUCKET_WIDTHS:
        if math.ceil(duration / width) <= MAX_BUCKETS:
            return width
    return BUCKET_WIDTHS[-1]


def _add_coverage(sums: list[float], steps: list[float], ranges, width: float, count: int):
    """Add the seconds of `ranges` to the buckets they cover: the partial buckets at either
    end directly, the whole ones in between through a difference array (`steps`), so a
    range costs the same whatever its length."""
    last = count - 1
    for start, end in ranges:
        first_bucket = min(int(start // width), last)
        last_bucket = min(int(end // width), last)
        if first_bucket == last_bucket:
            sums[first_bucket] += end - start
            continue
        sums[first_bucket] += (first_bucket + 1) * width - start
        sums[last_bucket] += end - last_bucket * width
        if last_bucket > first_bucket + 1:
            steps[first_bucket + 1] += width
            steps[last_bucket] -= width


def _overlaps(groups: Sequence[Sequence[Range]]) -> list[Range]:
    """The seconds covered by at least two of `groups` (each merged): watched in two
    cycles, or in the same lecture in two modules, is watched again."""
    events = sorted((point, delta) for ranges in groups for a, b in ranges for point, delta in (
        (a, 1), (b, -1)))  # fmt: skip
    result: list[Range] = []
    depth, since = 0, 0.0
    for point, delta in events:
        before, depth = depth, depth + delta
        if before < 2 <= depth:
            since = point
        elif depth < 2 <= before and point > since:
            result.append((since, point))
    return merge_ranges(result)


def _assemble_retention(
    *,
    duration: float,
    width: int,
    viewers: int,
    watched: Sequence[float],
    again: Sequence[float],
    stopped: Sequence[int],
    finished: int,
    min_viewers: int,
) -> Retention:
    """The figures from per-bucket sums: the watched and watched-again viewer-seconds in
    each bucket, the viewers who stopped in each, and who finished. Both paths (the
    per-row one below and PostgreSQL's aggregate) end here."""
    buckets = []
    for index, (seconds, again_seconds, stopped_here) in enumerate(
        zip(watched, again, stopped, strict=True)
    ):
        start, end = index * width, min((index + 1) * width, duration)
        span = max(end - start, 1e-9) * viewers
        buckets.append(
            RetentionBucket(
                start=float(start),
                end=float(end),
                watching=seconds / span if viewers else 0.0,
                rewatched=again_seconds / span if viewers else 0.0,
                stopped=stopped_here,
                stopped_share=stopped_here / viewers if viewers else 0.0,
            )
        )
    drop_offs = sorted(
        (b for b in buckets if b.stopped and b.stopped_share >= DROP_OFF_SHARE),
        key=lambda b: (-b.stopped, b.start),
    )[:TOP_POINTS]
    rewatched_most = sorted(
        # Under a millisecond a viewer is rounding, not a replay (the SQL sums of the
        # PostgreSQL path may leave 1e-12 where the per-row one leaves 0).
        (b for b in buckets if b.rewatched > 1e-9),
        key=lambda b: (-b.rewatched, b.start),
    )[:TOP_POINTS]
    return Retention(
        viewers=viewers,
        duration=duration,
        bucket_seconds=width,
        buckets=tuple(buckets),
        drop_offs=tuple(drop_offs),
        rewatched_most=tuple(rewatched_most),
        finished=finished,
        min_viewers=min_viewers,
    )


def _stopped_bucket(furthest: float, width: int, count: int) -> int:
    """The bucket holding a viewer's last watched second (stopping at 0:10 with 10-second
    buckets is stopping in the first)."""
    return min(max(math.ceil(furthest / width) - 1, 0), count - 1)


def compute_retention(
    rows: Iterable[tuple[int, list, list, float | None]],
    *,
    duration: float,
    bucket_seconds: int | None = None,
    min_viewers: int = 1,
) -> Retention:
    """Audience retention from watch rows `(viewer, watched_ranges, rewatched_ranges,
    row_duration)`. A viewer with several rows (cycles, or the lecture in two modules)
    counts once: their union; the seconds in two of their rows count as watched again.
    Rows with nothing watched are not viewers. A viewer's furthest second is the furthest
    end of any of their ranges (clipped at the lecture's end). Pure; the SQLite path, and
    what PostgreSQL's aggregate (`_retention_sums_postgresql`) is tested against."""
    duration = float(duration)
    width = bucket_seconds or bucket_seconds_for(duration)
    count = max(1, math.ceil(duration / width))
    per_viewer: dict[int, list] = defaultdict(list)
    for viewer, watched, rewatched, row_duration in rows:
        if watched:
            per_viewer[viewer].append((watched, rewatched or [], row_duration))
    watched_sums, watched_steps = [0.0] * count, [0.0] * (count + 1)
    again_sums, again_steps = [0.0] * count, [0.0] * (count + 1)
    stopped = [0] * count
    finished = 0
    for viewer_rows in per_viewer.values():
        if len(viewer_rows) == 1:
            watched, rewatched, row_duration = viewer_rows[0]
            # Stored sorted and merged: clipped only when they pass the lecture's end.
            if watched[-1][1] > duration:
                watched = [(min(a, duration), min(b, duration)) for a, b in watched]
            if rewatched and rewatched[-1][1] > duration:
                rewatched = [(min(a, duration), min(b, duration)) for a, b in rewatched]
            furthest = float(watched[-1][1])
        else:
            groups = [merge_ranges(r[0]) for r in viewer_rows]
            watched = merge_ranges(
                (min(a, duration), min(b, duration)) for g in groups for a, b in g
            )
            rewatched = merge_ranges(
                (min(a, duration), min(b, duration))
                for a, b in [*(x for r in viewer_rows for x in r[1]), *_overlaps(groups)]
            )
            row_duration = max((r[2] or 0) for r in viewer_rows)
            furthest = min(max(float(r[0][-1][1]) for r in viewer_rows), duration)
        _add_coverage(watched_sums, watched_steps, watched, width, count)
        _add_coverage(again_sums, again_steps, rewatched, width, count)
        end = min(duration, float(row_duration or duration))
        if furthest >= end - END_TOLERANCE_SECONDS:
            finished += 1
        else:
            stopped[_stopped_bucket(furthest, width, count)] += 1
    watched_seconds, again_seconds = [], []
    running_watched = running_again = 0.0
    for index in range(count):
        running_watched += watched_steps[index]
        running_again += again_steps[index]
        watched_seconds.append(watched_sums[index] + running_watched)
        again_seconds.append(again_sums[index] + running_again)
    return _assemble_retention(
        duration=duration,
        width=width,
        viewers=len(per_viewer),
        watched=watched_seconds,
        again=again_seconds,
        stopped=stopped,
        finished=finished,
        min_viewers=min_viewers,
    )


# PostgreSQL: the same figures from one statement that returns a row per bucket, not per
# watch row. Each viewer's union of ranges is built by "gaps and islands" (a range starts
# a new island when it begins after every earlier range of that viewer has ended); the
# parts watched again are the rows' own `rewatched_ranges` and the intersections of one
# viewer's ranges from two different rows (each row's ranges are stored merged, so two
# ranges that meet are from two rows), merged the same way. The seconds a set of disjoint
# ranges covers in a bucket come from four sums per bucket (see `_coverage_from_sums`):
# count and sum of the starts falling in it, count and sum of the ends.
_RETENTION_SQL = """
WITH src AS ({rows}),
elements AS (
    SELECT src.id AS row_id, src.user_id,
           LEAST((r.value->>0)::float8, %(duration)s) AS s,
           LEAST((r.value->>1)::float8, %(duration)s) AS e
    FROM src CROSS JOIN LATERAL jsonb_array_elements(src.watched_ranges) AS r(value)
),
watched AS (SELECT row_id, user_id, s, e FROM elements WHERE e > s),
watched_marked AS (
    SELECT user_id, s, e,
           MAX(e) OVER (PARTITION BY user_id ORDER BY s, e
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
    FROM watched
),
watched_islands AS (
    SELECT user_id, s, e,
           SUM(CASE WHEN reach IS NULL OR s > reach THEN 1 ELSE 0 END)
               OVER (PARTITION BY user_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS island
    FROM watched_marked
),
watched_union AS (
    SELECT MIN(s) AS s, MAX(e) AS e FROM watched_islands GROUP BY user_id, island
),
again AS (
    SELECT src.user_id,
           LEAST((r.value->>0)::float8, %(duration)s) AS s,
           LEAST((r.value->>1)::float8, %(duration)s) AS e
    FROM src CROSS JOIN LATERAL jsonb_array_elements(src.rewatched_ranges) AS r(value)
    WHERE jsonb_array_length(src.rewatched_ranges) > 0
    UNION ALL
    SELECT a.user_id, GREATEST(a.s, b.s), LEAST(a.e, b.e)
    FROM watched a JOIN watched b ON a.user_id = b.user_id AND a.row_id < b.row_id
    WHERE GREATEST(a.s, b.s) < LEAST(a.e, b.e)
),
again_marked AS (
    SELECT user_id, s, e,
           MAX(e) OVER (PARTITION BY user_id ORDER BY s, e
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
    FROM again WHERE e > s
),
again_islands AS (
    SELECT user_id, s, e,
           SUM(CASE WHEN reach IS NULL OR s > reach THEN 1 ELSE 0 END)
               OVER (PARTITION BY user_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS island
    FROM again_marked
),
again_union AS (
    SELECT MIN(s) AS s, MAX(e) AS e FROM again_islands GROUP BY user_id, island
),
viewers AS (
    SELECT p.furthest,
           LEAST(%(duration)s, COALESCE(NULLIF(d.row_duration, 0), %(duration)s)) AS reach_end
    FROM (SELECT user_id, MAX(e) AS furthest FROM elements GROUP BY user_id) AS p
    JOIN (SELECT user_id, MAX(COALESCE(duration_seconds, 0)) AS row_duration
          FROM src GROUP BY user_id) AS d ON d.user_id = p.user_id
)
SELECT 'ws', FLOOR(s / %(width)s)::int AS b, COUNT(*), SUM(s) FROM watched_union GROUP BY 2
UNION ALL
SELECT 'we', FLOOR(e / %(width)s)::int, COUNT(*), SUM(e) FROM watched_union GROUP BY 2
UNION ALL
SELECT 'as', FLOOR(s / %(width)s)::int, COUNT(*), SUM(s) FROM again_union GROUP BY 2
UNION ALL
SELECT 'ae', FLOOR(e / %(width)s)::int, COUNT(*), SUM(e) FROM again_union GROUP BY 2
UNION ALL
SELECT 'stop',
       CASE WHEN furthest >= reach_end - %(tolerance)s THEN -1
            ELSE LEAST(GREATEST(CEIL(furthest / %(width)s)::int - 1, 0), %(last)s) END,
       COUNT(*), 0
FROM viewers GROUP BY 2
"""


def _coverage_from_sums(
    starts: dict[int, tuple[int, float]],
    ends: dict[int, tuple[int, float]],
    *,
    duration: float,
    width: int,
    count: int,
) -> list[float]:
    """The seconds disjoint ranges cover in each bucket, from the count and sum of their
    starts and of their ends per bucket (`bucket -> (count, sum)`). G(t), the seconds
    covered before t, is the sum over ranges of max(0, min(t, end) - start) =
    sum over starts before t of (t - start) - sum over ends before t of (t - end); a
    point on t adds nothing, so "before t" may be read as "in a bucket before t's".
    A bucket covers G(its end) - G(its start)."""
    covered_before = []
    n = total = 0.0
    for index in range(count + 1):
        # Boundary `index` (t = index x width, the last at the lecture's end): the ranges
        # that started in buckets before it, less those that ended there.
        t = min(index * width, duration)
        covered_before.append(n * t + total)
        if index < count:
            s_count, s_sum = starts.get(index, (0, 0.0))
            e_count, e_sum = ends.get(index, (0, 0.0))
            n += s_count - e_count
            total += e_sum - s_sum
    # Ends at the lecture's end exactly may fall in bucket `count`: they add e - t = 0.
    return [covered_before[i + 1] - covered_before[i] for i in range(count)]


def _retention_sums_postgresql(queryset, *, duration: float, width: int, count: int):
    """(viewers, watched seconds per bucket, watched-again seconds per bucket, stopped per
    bucket, finished) of the watch rows in `queryset`, by one statement (`_RETENTION_SQL`),
    on the reports' connection (the replica in a report view when one is configured)."""
    from .replica import reading_connection

    connection = reading_connection(StepProgress)

    rows_sql, rows_params = queryset.values(
        "id", "user_id", "watched_ranges", "rewatched_ranges", "duration_seconds"
    ).query.sql_with_params()
    # The queryset's placeholders are positional (%s), the statement's named: name them.
    names = {f"row_param_{i}": param for i, param in enumerate(rows_params)}
    pieces = rows_sql.split("%s")
    rows_sql = pieces[0] + "".join(
        f"%({name})s{piece}" for name, piece in zip(names, pieces[1:], strict=True)
    )
    params = {
        **names,
        "duration": duration,
        "width": float(width),
        "tolerance": END_TOLERANCE_SECONDS,
        "last": count - 1,
    }
    sums: dict[str, dict[int, tuple[int, float]]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(_RETENTION_SQL.replace("{rows}", rows_sql), params)
        for kind, bucket, number, total in cursor.fetchall():
            sums[kind][bucket] = (int(number), float(total))
    stopped = [sums["stop"].get(index, (0, 0.0))[0] for index in range(count)]
    finished = sums["stop"].get(-1, (0, 0.0))[0]
    shape = {"duration": duration, "width": width, "count": count}
    return (
        finished + sum(stopped),
        _coverage_from_sums(sums["ws"], sums["we"], **shape),
        _coverage_from_sums(sums["as"], sums["ae"], **shape),
        stopped,
        finished,
    )


def get_lecture_retention(
    *, steps: Iterable[tuple[int, str]], duration: float, bucket_seconds: int | None = None
) -> Retention:
    """Audience retention of a lecture shown in `steps` ((module id, step id) pairs: every
    step showing it), over every learner and cycle. One query: on PostgreSQL an aggregate
    returning a row per bucket (`_RETENTION_SQL`), elsewhere (SQLite, the embedded
    default) the watch rows for `compute_retention`. Figures are meant to be shown only
    when `enough` (at least LMS_MIN_GROUP_SIZE viewers: a curve of one or two viewers
    tells how those people watched)."""
    from django.db import connection

    steps = list(steps)
    duration = float(duration)
    width = bucket_seconds or bucket_seconds_for(duration)
    min_viewers = value("LMS_MIN_GROUP_SIZE")
    if not steps:
        return compute_retention((), duration=duration, bucket_seconds=width,
                                 min_viewers=min_viewers)  # fmt: skip
    by_module: dict[int, list[str]] = defaultdict(list)
    for module_id, step_id in steps:
        by_module[module_id].append(step_id)
    where = Q()
    for module_id, step_ids in by_module.items():
        where |= Q(module_id=module_id, step_id__in=step_ids)
    queryset = StepProgress.objects.filter(where, watched_seconds__gt=0)
    if connection.vendor == "postgresql":
        count = max(1, math.ceil(duration / width))
        viewers, watched, again, stopped, finished = _retention_sums_postgresql(
            queryset.exclude(watched_ranges=[]), duration=duration, width=width, count=count
        )
        return _assemble_retention(
            duration=duration,
            width=width,
            viewers=viewers,
            watched=watched,
            again=again,
            stopped=stopped,
            finished=finished,
            min_viewers=min_viewers,
        )
    rows = queryset.values_list(
        "user_id", "watched_ranges", "rewatched_ranges", "duration_seconds"
    ).iterator(chunk_size=5000)
    return compute_retention(rows, duration=duration, bucket_seconds=width, min_viewers=min_viewers)


# --- Item analysis ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceCount:
    choice_id: str
    text: str
    correct: bool
    picked: int
    share: float  # of the attempts that had the question


@dataclass(frozen=True)
class ItemFigures:
    question_id: str
    text: str
    kind: str
    attempts: int  # first attempts that had this question
    correct: int
    # Share correct (classical "difficulty", p); None under the minimum of attempts.
    difficulty: float | None
    # Corrected point-biserial: the correlation of this item (right 1, wrong 0) with the
    # score on the other questions of the attempt (a share of their points); None under
    # the minimum, or when either does not vary.
    discrimination: float | None
    choices: tuple[ChoiceCount, ...]
    unanswered: int
    flags: tuple[str, ...]  # "easy", "hard", "low_discrimination"
    attempts_missing: int  # how many more attempts before figures are shown

    @property
    def enough(self) -> bool:
        return self.attempts_missing == 0


@dataclass(frozen=True)
class ItemAnalysis:
    attempts: int  # first attempts counted
    min_attempts: int
    items: tuple[ItemFigures, ...]
    # KR-20 over the attempts that had every question; None when too few did (a quiz
    # drawing questions from a pool), or the total score does not vary.
    kr20: float | None
    kr20_attempts: int
    mean_score: float | None  # share of points, first attempts
    flagged: tuple[ItemFigures, ...] = field(default=())

    @property
    def enough(self) -> bool:
        return self.attempts >= self.min_attempts

    @property
    def attempts_missing(self) -> int:
        return max(self.min_attempts - self.attempts, 0)


def kr20(item_scores: Sequence[Sequence[int]]) -> float | None:
    """Kuder-Richardson 20 of a table of right (1) / wrong (0) answers, one row per
    attempt, one column per item: k/(k-1) x (1 - sum(p q) / variance of the totals), the
    variance over the attempts (divided by N, as p q is). None for fewer than two items or
    attempts, or totals that do not vary."""
    n = len(item_scores)
    if n < 2:
        return None
    k = len(item_scores[0])
    if k < 2:
        return None
    totals = [sum(row) for row in item_scores]
    mean = sum(totals) / n
    variance = sum((t - mean) ** 2 for t in totals) / n
    if variance <= 0:
        return None
    pq = 0.0
    for column in range(k):
        p = sum(row[column] for row in item_scores) / n
        pq += p * (1 - p)
    return k / (k - 1) * (1 - pq / variance)


@dataclass(frozen=True)
class GradedAttempt:
    """One attempt graded per question: question id -> (right, points, max points,
    chosen choice ids), for the questions the attempt had."""

    answers: dict[str, tuple[bool, float, float, tuple[str, ...]]]


def grade_attempt(
    question_ids: Iterable[str],
    answers: dict,
    by_id: dict[str, QuestionSpec],
    correct_ids: dict[str, frozenset[str]] | None = None,
) -> GradedAttempt:
    """Mark one attempt's stored answers against the questions `by_id` (those of the
    revision it was taken against); `correct_ids`: each question's right choices, when
    the caller marks many attempts against the same questions."""
    graded = {}
    for question_id in question_ids:
        question = by_id.get(question_id)
        if question is None:
            continue
        chosen = tuple(answers.get(question_id) or ())
        right_ids = (
            correct_ids[question_id]
            if correct_ids is not None
            else frozenset(c.choice_id for c in question.choices if c.correct)
        )
        right = frozenset(chosen) == right_ids
        points = float(question.points)
        graded[question_id] = (right, points if right else 0.0, points, chosen)
    return GradedAttempt(graded)


@dataclass
class ItemSums:
    """What one question's figures are computed from, over the first attempts that had it:
    x is 1 right / 0 wrong, `rest` the share of points on the attempt's other questions."""

    attempts: int = 0
    right: int = 0
    rest: float = 0.0  # sum of rest
    rest_squares: float = 0.0  # sum of rest^2
    right_rest: float = 0.0  # sum of x * rest
    rest_varies: bool = False
    unanswered: int = 0
    picked: dict[str, int] = field(default_factory=dict)
    right_complete: int = 0  # right among the attempts that had every question


@dataclass
class AnalysisSums:
    attempts: int = 0  # first attempts
    score_shares: float = 0.0  # sum over them of points / max points
    complete: int = 0  # attempts that had every question of the quiz as it stands
    totals: int = 0  # sum over those of the number right
    totals_squares: int = 0
    items: dict[str, ItemSums] = field(default_factory=dict)


def item_sums(attempts: Sequence[GradedAttempt], questions: Sequence[QuestionSpec]) -> AnalysisSums:
    """The sums of `item_analysis_from_sums`, per attempt in Python: the path for SQLite,
    and what PostgreSQL's aggregate (`_ITEM_SUMS_SQL`) computes in the database. Pure."""
    ids = [q.question_id for q in questions]
    current = set(ids)
    sums = AnalysisSums(attempts=len(attempts), items={qid: ItemSums() for qid in ids})
    rests: dict[str, set[float]] = {qid: set() for qid in ids}
    for attempt in attempts:
        answers = attempt.answers
        points = sum(v[1] for v in answers.values())
        maximum = sum(v[2] for v in answers.values())
        sums.score_shares += points / (maximum or 1)
        complete = all(qid in answers for qid in ids)
        if complete:
            right_total = sum(1 for qid in ids if answers[qid][0])
            sums.complete += 1
            sums.totals += right_total
            sums.totals_squares += right_total * right_total
        for qid, (right, mine, mine_max, chosen) in answers.items():
            if qid not in current:
                continue
            item = sums.items[qid]
            x = 1 if right else 0
            others = maximum - mine_max
            rest = (points - mine) / others if others else 0.0
            item.attempts += 1
            item.right += x
            item.rest += rest
            item.rest_squares += rest * rest
            item.right_rest += x * rest
            rests[qid].add(rest)
            if not chosen:
                item.unanswered += 1
            for choice_id in chosen:
                item.picked[choice_id] = item.picked.get(choice_id, 0) + 1
            if complete:
                item.right_complete += x
    for qid, seen in rests.items():
        sums.items[qid].rest_varies = len(seen) > 1
    return sums


def _discrimination(item: ItemSums) -> float | None:
    """Pearson's r of x (0/1) and rest from their sums: Sxy / sqrt(Sxx Syy), with
    Sxx = sum x - (sum x)^2 / n (x^2 = x), Syy = sum rest^2 - (sum rest)^2 / n,
    Sxy = sum x rest - sum x sum rest / n. None when either does not vary."""
    n = item.attempts
    if n < 2 or not 0 < item.right < n or not item.rest_varies:
        return None
    sxx = item.right - item.right * item.right / n
    syy = item.rest_squares - item.rest * item.rest / n
    if syy <= 0:
        return None
    sxy = item.right_rest - item.right * item.rest / n
    return sxy / math.sqrt(sxx * syy)


def _kr20_from_sums(sums: AnalysisSums, k: int) -> float | None:
    """`kr20` from the sums: var(X) = (n sum X^2 - (sum X)^2) / n^2 (integers: exact),
    p of each item its right answers among the complete attempts over n."""
    n = sums.complete
    if n < 2 or k < 2:
        return None
    variance = (n * sums.totals_squares - sums.totals * sums.totals) / (n * n)
    if variance <= 0:
        return None
    pq = 0.0
    for item in sums.items.values():
        p = item.right_complete / n
        pq += p * (1 - p)
    return k / (k - 1) * (1 - pq / variance)


def item_analysis_from_sums(
    sums: AnalysisSums, questions: Sequence[QuestionSpec], *, min_attempts: int
) -> ItemAnalysis:
    """The figures from the sums (docs/insight.md); both paths end here."""
    items = []
    for question in questions:
        qid = question.question_id
        item = sums.items.get(qid) or ItemSums()
        n = item.attempts
        choices = tuple(
            ChoiceCount(c.choice_id, c.text, c.correct, item.picked.get(c.choice_id, 0),
                        item.picked.get(c.choice_id, 0) / n if n else 0.0)
            for c in question.choices
        )  # fmt: skip
        missing = max(min_attempts - n, 0)
        difficulty = discrimination = None
        flags: list[str] = []
        if not missing and n:
            difficulty = item.right / n
            discrimination = _discrimination(item)
            if difficulty > EASY_ABOVE:
                flags.append("easy")
            if difficulty < HARD_BELOW:
                flags.append("hard")
            if discrimination is not None and discrimination < DISCRIMINATION_BELOW:
                flags.append("low_discrimination")
        items.append(
            ItemFigures(
                question_id=qid,
                text=question.text,
                kind=question.kind,
                attempts=n,
                correct=item.right,
                difficulty=difficulty,
                discrimination=discrimination,
                choices=choices,
                unanswered=item.unanswered,
                flags=tuple(flags),
                attempts_missing=missing,
            )
        )
    reliability = None
    if sums.complete >= min_attempts and sums.attempts >= min_attempts:
        reliability = _kr20_from_sums(sums, len(questions))
    enough = sums.attempts >= min_attempts
    return ItemAnalysis(
        attempts=sums.attempts,
        min_attempts=min_attempts,
        items=tuple(items),
        kr20=reliability,
        kr20_attempts=sums.complete,
        mean_score=sums.score_shares / sums.attempts if sums.attempts and enough else None,
        flagged=tuple(item for item in items if item.flags),
    )


def compute_item_analysis(
    attempts: Sequence[GradedAttempt], questions: Sequence[QuestionSpec], *, min_attempts: int
) -> ItemAnalysis:
    """Item analysis of `questions` (the quiz as it stands) over graded first attempts.
    Questions an attempt did not have do not count for it; answers to questions no longer
    in the quiz count only in the other items' rest score. Pure."""
    return item_analysis_from_sums(
        item_sums(attempts, questions), questions, min_attempts=min_attempts
    )


# PostgreSQL: the sums of `item_sums` in one statement, a row per question, per chosen
# choice and one for the quiz, however many attempts. Each person's first submitted
# attempt (DISTINCT ON); each question it had, marked against its revision's right
# choices (`key`: the revisions' questions, passed as JSON; a revision not found is
# marked against the quiz as it stands, as in Python): right when the chosen ids and the
# right ids contain each other (set equality of JSON arrays).
_ITEM_SUMS_SQL = """
WITH firsts AS (
    SELECT DISTINCT ON (user_id) id, revision_id, question_ids, answers
    FROM {attempts}
    WHERE quiz_id = %(quiz)s AND number = 1 AND submitted_at IS NOT NULL
    ORDER BY user_id, submitted_at, id
),
answer_key AS (
    SELECT (k->>0)::bigint AS rev, k->>1 AS qid, k->2 AS right_ids,
           (k->>3)::float8 AS points, (k->>4)::boolean AS current
    FROM jsonb_array_elements(%(key)s::jsonb) AS k
),
graded AS (
    SELECT f.id AS attempt, a.qid, a.current, a.points AS max_points,
           COALESCE(given.value, '[]'::jsonb) AS chosen,
           CASE WHEN COALESCE(given.value, '[]'::jsonb) @> a.right_ids
                 AND a.right_ids @> COALESCE(given.value, '[]'::jsonb)
                THEN 1 ELSE 0 END AS x
    FROM firsts f
    CROSS JOIN LATERAL jsonb_array_elements_text(f.question_ids) AS q(qid)
    JOIN answer_key a
      ON a.rev = CASE WHEN f.revision_id = ANY(%(revisions)s::bigint[])
                      THEN f.revision_id ELSE -1 END
     AND a.qid = q.qid
    LEFT JOIN LATERAL jsonb_each(f.answers) AS given ON given.key = q.qid
),
totals AS (
    SELECT attempt, SUM(x * max_points) AS points, SUM(max_points) AS maximum,
           SUM(CASE WHEN current THEN 1 ELSE 0 END) AS had_current,
           SUM(CASE WHEN current THEN x ELSE 0 END) AS right_total
    FROM graded GROUP BY attempt
),
items AS (
    SELECT g.qid, g.x, g.chosen, t.had_current = %(k)s AS complete,
           CASE WHEN t.maximum - g.max_points <> 0
                THEN (t.points - g.x * g.max_points) / (t.maximum - g.max_points)
                ELSE 0 END AS rest
    FROM graded g JOIN totals t ON t.attempt = g.attempt
    WHERE g.current
)
SELECT 'item', qid, NULL, COUNT(*), SUM(x), SUM(rest), SUM(rest * rest), SUM(x * rest),
       (MIN(rest) < MAX(rest))::int,
       SUM(CASE WHEN jsonb_array_length(chosen) = 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN complete THEN x ELSE 0 END)
FROM items GROUP BY qid
UNION ALL
SELECT 'choice', qid, c.choice_id, COUNT(*), 0, 0, 0, 0, 0, 0, 0
FROM items CROSS JOIN LATERAL jsonb_array_elements_text(chosen) AS c(choice_id)
GROUP BY qid, c.choice_id
UNION ALL
SELECT 'quiz', NULL, NULL, (SELECT COUNT(*) FROM firsts),
       COALESCE(SUM(points / CASE WHEN maximum = 0 THEN 1 ELSE maximum END), 0),
       COALESCE(SUM(CASE WHEN had_current = %(k)s THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN had_current = %(k)s THEN right_total ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN had_current = %(k)s THEN right_total * right_total ELSE 0 END), 0),
       0, 0, 0
FROM totals
"""


def _item_sums_postgresql(
    quiz_id: int, by_revision: dict[int | None, dict[str, QuestionSpec]], current_ids: list[str]
) -> AnalysisSums:
    import json

    from .replica import reading_connection

    connection = reading_connection(QuizAttempt)  # the replica in a report view, if any
    current = set(current_ids)
    key = [
        [-1 if revision is None else revision, qid,
         sorted({c.choice_id for c in q.choices if c.correct}), float(q.points), qid in current]
        for revision, questions in by_revision.items()
        for qid, q in questions.items()
    ]  # fmt: skip
    params = {
        "quiz": quiz_id,
        "key": json.dumps(key),
        "revisions": [r for r in by_revision if r is not None],
        "k": len(current_ids),
    }
    sums = AnalysisSums(items={qid: ItemSums() for qid in current_ids})
    with connection.cursor() as cursor:
        cursor.execute(
            _ITEM_SUMS_SQL.replace(
                "{attempts}", connection.ops.quote_name(QuizAttempt._meta.db_table)
            ),
            params,
        )
        for kind, qid, choice_id, n, a, b, c, d, e, f, g in cursor.fetchall():
            if kind == "quiz":
                sums.attempts, sums.score_shares = int(n), float(a)
                sums.complete, sums.totals, sums.totals_squares = int(b), int(c), int(d)
            elif kind == "item":
                item = sums.items[qid]
                item.attempts, item.right = int(n), int(a)
                item.rest, item.rest_squares, item.right_rest = float(b), float(c), float(d)
                item.rest_varies, item.unanswered, item.right_complete = bool(e), int(f), int(g)
            else:
                sums.items[qid].picked[choice_id] = int(n)
    return sums


def get_quiz_item_analysis(quiz, *, rules_of_revision=None) -> ItemAnalysis:
    """Item analysis of `quiz` (a LearningQuiz) over each learner's first attempt: the
    first one they submitted, in whichever course, module or cycle. Each attempt is
    graded against the revision it was taken against (the questions' right answers
    then), the figures given per question of the quiz as it stands. Two queries whatever
    the number of attempts: the revisions the first attempts were taken against, then on
    PostgreSQL one aggregate (`_ITEM_SUMS_SQL`: a row per question and chosen choice),
    elsewhere the attempts, marked here. `rules_of_revision(revision) -> QuizRules`
    reads a stored revision (default: its object's `get_lms_quiz_rules()`)."""
    from django.db import connection
    from wagtail.models import Revision

    current = quiz.get_lms_quiz_rules()
    min_attempts = value("LMS_ITEM_ANALYSIS_MIN_ATTEMPTS")
    submitted = QuizAttempt.objects.filter(quiz_id=quiz.pk, number=1, submitted_at__isnull=False)
    read = rules_of_revision or (lambda revision: revision.as_object().get_lms_quiz_rules())
    by_revision: dict[int | None, dict[str, QuestionSpec]] = {
        None: {q.question_id: q for q in current.questions}
    }
    for revision in Revision.objects.filter(pk__in=submitted.values("revision_id")):
        by_revision[revision.pk] = {q.question_id: q for q in read(revision).questions}
    if connection.vendor == "postgresql":
        sums = _item_sums_postgresql(
            quiz.pk, by_revision, [q.question_id for q in current.questions]
        )
        return item_analysis_from_sums(sums, current.questions, min_attempts=min_attempts)
    firsts: dict[int, tuple] = {}
    rows = submitted.order_by("submitted_at", "pk").values_list(
        "user_id", "revision_id", "question_ids", "answers"
    )
    for user_id, revision_id, question_ids, answers in rows.iterator(chunk_size=5000):
        firsts.setdefault(user_id, (revision_id, question_ids, answers))
    correct = {
        key: {
            qid: frozenset(c.choice_id for c in q.choices if c.correct) for qid, q in by_id.items()
        }
        for key, by_id in by_revision.items()
    }
    graded = []
    for revision_id, question_ids, answers in firsts.values():
        key = revision_id if revision_id in by_revision else None
        graded.append(grade_attempt(question_ids, answers or {}, by_revision[key], correct[key]))
    return compute_item_analysis(graded, current.questions, min_attempts=min_attempts)
