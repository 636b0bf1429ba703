"""Talk mode: the talk as a sequence of steps across the lab's pages (data/talk.json).

    >>> steps = load()
    >>> at = position(steps, "few-shot")            # 5: the sixth step
    >>> steps[at].page, steps[at].settings           # ("pages/few_shot.py", {"fs_task": "helpdesk", "fs_k": 4})
    >>> neighbours(steps, at)                        # (the step before, the step after), None at either end

A URL names its step (`?talk=few-shot`), so a talk can be bookmarked and resumed; `&notes=1` is the speaker's
view of the same step. Stepping is by links, so a clicker's PageDown (or →) only has to press one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from lib import figures, schema
from lib.models import REPO_ROOT
from lib.schema import Required

STEPS_FILE = REPO_ROOT / "data" / "talk.json"


class TalkError(ValueError):
    """A steps file that can't be used; the message says what to fix."""


def _a_demo(demo: dict) -> dict:
    if not (demo == {} or (set(demo) == {"button"} and isinstance(demo["button"], str))
            or (set(demo) == {"chat", "text"} and all(isinstance(v, str) and v.strip() for v in demo.values()))):
        raise ValueError('is {"button": KEY} or {"chat": KEY, "text": "…"}')
    return demo


# A measured figure in a point or a note is a placeholder (lib.figures), rendered from its stored result.
Rendered = AfterValidator(figures.render)


class Step(schema.Record):
    id: Required
    page: Required  # the page's file, as app.py names it: "pages/few_shot.py"
    title: Required
    point: Annotated[Required, Rendered]  # the one sentence the step is for
    notes: Annotated[str, Rendered] = ""
    settings: dict = {}  # widget key → the value the step opens with
    # The live demo, recorded for replay (lib.replays): {"button": KEY} presses it, {"chat": KEY, "text": …} types.
    demo: Annotated[dict, AfterValidator(_a_demo)] = {}


class TalkFile(schema.Record):
    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_differ(self):
        ids = [s.id for s in self.steps]
        if len(set(ids)) != len(ids):
            raise ValueError(f"step ids must differ: {sorted({i for i in ids if ids.count(i) > 1})} repeat")
        return self


def load(path: Path = STEPS_FILE) -> list[Step]:
    return list(schema.load(path, TalkFile, TalkError).steps)


def position(steps: list[Step], step_id: str | None) -> int | None:
    """Where a step id sits in the talk; None for an id it does not have (or none)."""
    return next((i for i, s in enumerate(steps) if s.id == step_id), None)


def neighbours(steps: list[Step], at: int) -> tuple[Step | None, Step | None]:
    return (steps[at - 1] if at > 0 else None, steps[at + 1] if at + 1 < len(steps) else None)
