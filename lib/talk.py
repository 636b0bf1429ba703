"""Talk mode: the talk as a sequence of steps across the lab's pages (data/talk.json).

    >>> steps = load()
    >>> at = position(steps, "few-shot")            # 5: the sixth step
    >>> steps[at].page, steps[at].settings           # ("pages/few_shot.py", {"fs_task": "helpdesk", "fs_k": 4})
    >>> neighbours(steps, at)                        # (the step before, the step after), None at either end

A URL names its step (`?talk=few-shot`), so a talk can be bookmarked and resumed; `&notes=1` is the speaker's
view of the same step. Stepping is by links, so a clicker's PageDown (or →) only has to press one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from lib import figures
from lib.models import REPO_ROOT

STEPS_FILE = REPO_ROOT / "data" / "talk.json"


class TalkError(ValueError):
    """A steps file that can't be used; the message says what to fix."""


@dataclass(frozen=True)
class Step:
    id: str
    page: str  # the page's file, as app.py names it: "pages/few_shot.py"
    title: str
    point: str  # the one sentence the step is for
    notes: str = ""
    settings: dict = field(default_factory=dict)  # widget key → the value the step opens with
    # The live demo, recorded for replay (lib.replays): {"button": KEY} presses it, {"chat": KEY, "text": …} types.
    demo: dict = field(default_factory=dict)


def parse(data) -> list[Step]:
    raw = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        raise TalkError('A talk file holds {"steps": [...]}, at least one step.')
    steps = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item[k].strip()
                                                 for k in ("id", "page", "title", "point")):
            raise TalkError(f'Step {number} needs text for "id", "page", "title" and "point".')
        if not isinstance(item.get("settings", {}), dict) or not isinstance(item.get("notes", ""), str):
            raise TalkError(f'Step {number}: "settings" is an object of widget key → value, "notes" is text.')
        demo = item.get("demo", {})
        if not (demo == {} or (isinstance(demo, dict) and set(demo) == {"button"} and isinstance(demo["button"], str))
                or (isinstance(demo, dict) and set(demo) == {"chat", "text"}
                    and all(isinstance(v, str) and v.strip() for v in demo.values()))):
            raise TalkError(f'Step {number}: "demo" is {{"button": KEY}} or {{"chat": KEY, "text": "…"}}.')
        # A measured figure in a point or a note is a placeholder (lib.figures), rendered from its stored result.
        steps.append(Step(item["id"], item["page"], item["title"], figures.render(item["point"]),
                          figures.render(item.get("notes", "")), dict(item.get("settings", {})), dict(demo)))
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        raise TalkError(f"Step ids must differ: {sorted({i for i in ids if ids.count(i) > 1})} repeat.")
    return steps


def load(path: Path = STEPS_FILE) -> list[Step]:
    try:
        return parse(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TalkError(f"{Path(path).name} can't be read: {error}") from error


def position(steps: list[Step], step_id: str | None) -> int | None:
    """Where a step id sits in the talk; None for an id it does not have (or none)."""
    return next((i for i, s in enumerate(steps) if s.id == step_id), None)


def neighbours(steps: list[Step], at: int) -> tuple[Step | None, Step | None]:
    return (steps[at - 1] if at > 0 else None, steps[at + 1] if at + 1 < len(steps) else None)
