"""The guided path for learners (data/guide.json): per lab page, things to try and a short quiz.

    >>> guide = load()["pages/rag.py"]
    >>> guide.tries[0].settings        # {"rag_k": 1}: what "Set it up" puts in the page's widgets
    >>> guide.quiz[0].is_right(1)      # True: the chosen option's index against the answer

A try says what to change, what you should see and why. A try with an `outcome` is checked against the learner's
own run once they measure it (`judge`): did the effect show, or not this time, and why that can happen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from lib.models import REPO_ROOT

GUIDE_FILE = REPO_ROOT / "data" / "guide.json"


class GuideError(ValueError):
    """A guide file that can't be used; the message says what to fix."""


EXPECTATIONS = ("rises", "falls", "flat", "leads")


@dataclass(frozen=True)
class Outcome:
    """What a run should show. `result`: the session key the page keeps its live run under; its "summary" rows
    are compared by `measure`, named by `label`: first row vs last ("rises", "falls", "flat") or which row is
    highest ("leads": the row named `leader`)."""
    result: str
    expect: str
    measure: str = "accuracy"
    label: str = "condition"
    leader: str = ""


@dataclass(frozen=True)
class Try:
    title: str
    change: str
    expect: str
    why: str
    settings: dict = field(default_factory=dict)
    outcome: Outcome | None = None


# A summary measure and the per-item row field it averages (lib.prompting and lib.scoreboard rows).
ROW_FIELD = {"accuracy": "score", "exact_match": "exact"}


def judge(outcome: Outcome, result: dict) -> tuple[str, bool] | None:
    """(what the learner's run shows, in words; whether it is what the try expects), or None when the run has no
    per-item rows to compare. The words and the verdict are lib.effects' rule: first condition against last (or
    the leader against the runner-up), a paired bootstrap over items, against chance where the run has labels."""
    from lib import effects

    rows, by = result.get("rows") or [], outcome.label
    conditions = list(dict.fromkeys(r[by] for r in rows if by in r))
    if len(conditions) < 2:
        return None
    field, labels = ROW_FIELD.get(outcome.measure, outcome.measure), tuple(result.get("labels") or ())
    if outcome.expect == "leads":
        best, effect = effects.leader(rows, conditions, labels, field, by)
        return f"highest: {best}. {effect.said()}", best == outcome.leader and effect.verdict == effects.RISES
    effect = effects.compare(rows, conditions[0], conditions[-1], labels, field, by)
    wanted = {"rises": effects.RISES, "falls": effects.FALLS, "flat": effects.NONE}[outcome.expect]
    return effect.said(), effect.verdict == wanted


def _outcome(raw, where: str) -> Outcome | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("result"), str) or raw.get("expect") not in EXPECTATIONS \
            or (raw["expect"] == "leads") != bool(raw.get("leader")):
        raise GuideError(f'{where}: "outcome" is {{"result": SESSION_KEY, "expect": one of {", ".join(EXPECTATIONS)}'
                         '} ("leads" with a "leader").')
    return Outcome(raw["result"], raw["expect"], str(raw.get("measure", "accuracy")), str(raw.get("label", "condition")),
                   str(raw.get("leader", "")))


@dataclass(frozen=True)
class Question:
    question: str
    options: tuple[str, ...]
    answer: int
    explain: str

    def is_right(self, chosen: int) -> bool:
        return chosen == self.answer


@dataclass(frozen=True)
class PageGuide:
    tries: tuple[Try, ...]
    quiz: tuple[Question, ...]


def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise GuideError(f"{where} needs text.")
    return value


def parse(data) -> dict[str, PageGuide]:
    pages = data.get("pages") if isinstance(data, dict) else None
    if not isinstance(pages, dict):
        raise GuideError('A guide file holds {"pages": {"pages/NAME.py": {"tries": [...], "quiz": [...]}}}.')
    guides = {}
    for page, raw in pages.items():
        if not isinstance(raw, dict) or not isinstance(raw.get("tries"), list) or not isinstance(raw.get("quiz"), list):
            raise GuideError(f'{page}: "tries" and "quiz" must be lists.')
        tries = []
        for n, t in enumerate(raw["tries"], start=1):
            if not isinstance(t, dict) or not isinstance(t.get("settings", {}), dict):
                raise GuideError(f"{page}, try {n}: an object whose \"settings\" maps widget keys to values.")
            tries.append(Try(*(_text(t.get(k), f"{page}, try {n}: \"{k}\"") for k in ("title", "change", "expect", "why")),
                             dict(t.get("settings", {})), _outcome(t.get("outcome"), f"{page}, try {n}")))
        quiz = []
        for n, q in enumerate(raw["quiz"], start=1):
            options = q.get("options") if isinstance(q, dict) else None
            if not isinstance(options, list) or len(options) < 2 or not isinstance(q.get("answer"), int) \
                    or not 0 <= q["answer"] < len(options):
                raise GuideError(f"{page}, question {n}: at least two \"options\" and an \"answer\" index among them.")
            quiz.append(Question(_text(q.get("question"), f"{page}, question {n}"),
                                 tuple(_text(o, f"{page}, question {n}: an option") for o in options), q["answer"],
                                 _text(q.get("explain"), f"{page}, question {n}: \"explain\"")))
        guides[page] = PageGuide(tuple(tries), tuple(quiz))
    return guides


def load(path: Path = GUIDE_FILE) -> dict[str, PageGuide]:
    try:
        return parse(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GuideError(f"{Path(path).name} can't be read: {error}") from error


def progress(guides: dict[str, PageGuide], tried: set[tuple[str, int]], answered: dict[tuple[str, int], bool]) -> dict:
    """How far a learner is along the path: tries set up, quiz questions answered and right, of the totals."""
    return {"tried": len(tried), "tries": sum(len(g.tries) for g in guides.values()),
            "answered": len(answered), "right": sum(answered.values()),
            "questions": sum(len(g.quiz) for g in guides.values())}
