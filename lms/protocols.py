"""What the engine needs from the pages that hold courses and modules.

`lms` never imports a page class; course and module pages implement these protocols.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class StepSpec:
    """One learning step inside a module, as the engine sees it.

    `step_id` is the StreamField block id: it never changes, so progress is keyed by it.
    """

    step_id: str
    kind: str  # "lecture", "reading", "document", "quiz", "reflection"
    title: str
    required: bool = True
    required_share: float | None = None  # lectures: share of the video that must be watched
    duration_seconds: float | None = None  # lectures
    pass_required: bool = False  # quizzes
    object_id: int | None = None  # the Lecture / Quiz / Document behind the step


@runtime_checkable
class LearningModule(Protocol):
    pk: int
    title: str

    def get_lms_steps(self) -> Sequence[StepSpec]: ...

    def get_lms_prerequisite_ids(self) -> Sequence[int]: ...


@runtime_checkable
class LearningCourse(Protocol):
    pk: int
    title: str

    def get_lms_modules(self) -> Sequence[LearningModule]: ...
