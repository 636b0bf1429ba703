"""The guided path for learners (data/guide.json): per lab page, things to try and a short quiz.

    >>> guide = load()["pages/rag.py"]
    >>> guide.tries[0].settings        # {"rag_k": 1}: what "Set it up" puts in the page's widgets
    >>> guide.quiz[0].is_right(1)      # True: the chosen option's index against the answer

A try says what to change, what you should see and why. A try with an `outcome` is checked against the learner's
own run once they measure it (`judge`): did the effect show, or not this time, and why that can happen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, StrictInt, model_validator

from lib import schema
from lib.models import REPO_ROOT
from lib.schema import Required

GUIDE_FILE = REPO_ROOT / "data" / "guide.json"


class GuideError(ValueError):
    """A guide file that can't be used; the message says what to fix."""


EXPECTATIONS = ("rises", "falls", "flat", "leads")


class Outcome(schema.Record):
    """What a run should show. `result`: the session key the page keeps its live run under; its "summary" rows
    are compared by `measure`, named by `label`: first row vs last ("rises", "falls", "flat"; `first` and `last`
    name other rows to compare) or which row is highest ("leads": the row named `leader`)."""
    result: Required
    expect: Literal[EXPECTATIONS]
    measure: str = "accuracy"
    label: str = "condition"
    leader: str = ""
    first: str = ""
    last: str = ""

    @model_validator(mode="after")
    def _a_leader_for_leads(self):
        if (self.expect == "leads") != bool(self.leader):
            raise ValueError('"leads" names its "leader", and only "leads" does')
        return self


class Try(schema.Record):
    title: Required
    change: Required
    expect: Required
    why: Required
    settings: dict = {}  # widget key → the value "Set it up" gives it
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
    first, last = outcome.first or conditions[0], outcome.last or conditions[-1]
    if first not in conditions or last not in conditions:
        return None  # the learner's run did not measure them (e.g. a switch the try sets was turned off again)
    effect = effects.compare(rows, first, last, labels, field, by)
    wanted = {"rises": effects.RISES, "falls": effects.FALLS, "flat": effects.NONE}[outcome.expect]
    return effect.said(), effect.verdict == wanted


class Question(schema.Record):
    question: Required
    options: tuple[Required, ...] = Field(min_length=2)
    answer: StrictInt  # the right option's index
    explain: Required

    @model_validator(mode="after")
    def _answer_among_options(self):
        if not 0 <= self.answer < len(self.options):
            raise ValueError(f'"answer" is an option\'s index, 0 to {len(self.options) - 1}')
        return self

    def is_right(self, chosen: int) -> bool:
        return chosen == self.answer


class PageGuide(schema.Record):
    tries: tuple[Try, ...]
    quiz: tuple[Question, ...]


class GuideFile(schema.Record):
    pages: dict[str, PageGuide]  # "pages/NAME.py" → its tries and quiz


def load(path: Path = GUIDE_FILE) -> dict[str, PageGuide]:
    return schema.load(path, GuideFile, GuideError).pages


def progress(guides: dict[str, PageGuide], tried: set[tuple[str, int]], answered: dict[tuple[str, int], bool]) -> dict:
    """How far a learner is along the path: tries set up, quiz questions answered and right, of the totals."""
    return {"tried": len(tried), "tries": sum(len(g.tries) for g in guides.values()),
            "answered": len(answered), "right": sum(answered.values()),
            "questions": sum(len(g.quiz) for g in guides.values())}
