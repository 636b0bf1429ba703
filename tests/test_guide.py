"""The guided path's file: clear messages for a bad file, and the learner's progress."""

import json

import pytest

from lib import guide

GOOD = {"pages": {"pages/x.py": {"tries": [{"title": "t", "change": "c", "expect": "e", "why": "w", "settings": {"k": 1}}],
                                 "quiz": [{"question": "q", "options": ["a", "b"], "answer": 1, "explain": "x"}]}}}


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.pop("pages"), "holds"),
    (lambda d: d["pages"]["pages/x.py"].update(tries="x"), "must be lists"),
    (lambda d: d["pages"]["pages/x.py"]["tries"][0].update(why=""), 'try 1: "why" needs text'),
    (lambda d: d["pages"]["pages/x.py"]["tries"][0].update(settings=[1]), "try 1: an object"),
    (lambda d: d["pages"]["pages/x.py"]["quiz"][0].update(answer=2), "question 1: at least two"),
    (lambda d: d["pages"]["pages/x.py"]["quiz"][0].update(options=["a"]), "question 1: at least two"),
    (lambda d: d["pages"]["pages/x.py"]["quiz"][0].update(explain=None), 'question 1: "explain" needs text'),
    (lambda d: d["pages"]["pages/x.py"]["tries"][0].update(outcome={"result": "r", "expect": "up"}), '"outcome" is'),
    (lambda d: d["pages"]["pages/x.py"]["tries"][0].update(outcome={"result": "r", "expect": "leads"}), '"outcome" is'),
])
def test_a_bad_guide_file_gets_a_clear_message(damage, message, tmp_path):
    data = json.loads(json.dumps(GOOD))
    damage(data)
    path = tmp_path / "guide.json"
    path.write_text(json.dumps(data))
    with pytest.raises(guide.GuideError, match=message):
        guide.load(path)


def test_progress_counts_tries_and_right_answers(tmp_path):
    path = tmp_path / "guide.json"
    path.write_text(json.dumps(GOOD))
    guides = guide.load(path)
    assert guides["pages/x.py"].quiz[0].is_right(1) and not guides["pages/x.py"].quiz[0].is_right(0)
    assert guide.progress(guides, set(), {}) == {"tried": 0, "tries": 1, "answered": 0, "right": 0, "questions": 1}
    assert guide.progress(guides, {("pages/x.py", 0)}, {("pages/x.py", 0): False})["answered"] == 1
    path.write_bytes(b"\xff{")
    with pytest.raises(guide.GuideError, match="can't be read"):
        guide.load(path)


def run(*accuracies):
    return {"summary": [{"condition": f"c{i}", "accuracy": a} for i, a in enumerate(accuracies)]}


@pytest.mark.parametrize("expect, accuracies, ok", [
    ("rises", (0.10, 0.33), True), ("rises", (0.10, 0.12), False), ("rises", (0.5, 0.4), False),
    ("falls", (0.85, 0.52), True), ("falls", (0.5, 0.5), False),
    ("flat", (0.05, 0.08), True), ("flat", (0.05, 0.25), False), ("flat", (0.30, 0.10, 0.31), True),
])
def test_a_learners_run_is_judged_first_condition_against_last(expect, accuracies, ok):
    said, judged = guide.judge(guide.Outcome("r", expect), run(*accuracies))
    assert judged is ok and said.startswith(f"c0 {accuracies[0]:.0%} → c{len(accuracies) - 1}")


def test_leads_names_the_highest_row_and_a_run_without_rows_is_not_judged():
    outcome = guide.Outcome("sb", "leads", measure="exact_match", label="technique", leader="LoRA adapter")
    rows = [{"technique": "zero-shot", "exact_match": 0.0}, {"technique": "LoRA adapter", "exact_match": 0.8}]
    assert guide.judge(outcome, {"summary": rows}) == ("highest: LoRA adapter at 80%", True)
    assert guide.judge(outcome, {"summary": rows[:1] + [{"technique": "4-shot", "exact_match": 0.1}]})[1] is False
    assert guide.judge(outcome, {"summary": []}) is None and guide.judge(guide.Outcome("r", "rises"), {}) is None
