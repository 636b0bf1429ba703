"""The guided path's file: clear messages for a bad file, and the learner's progress."""

import json

import pytest

from lib import guide

GOOD = {"pages": {"pages/x.py": {"tries": [{"title": "t", "change": "c", "expect": "e", "why": "w", "settings": {"k": 1}}],
                                 "quiz": [{"question": "q", "options": ["a", "b"], "answer": 1, "explain": "x"}]}}}


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.pop("pages"), '"pages": is missing'),
    (lambda d: d["pages"]["pages/x.py"].update(tries="x"), '"pages/x.py", "tries": must be a list'),
    (lambda d: d["pages"]["pages/x.py"]["tries"][0].update(why=""), '"tries" item 1, "why": needs text'),
    (lambda d: d["pages"]["pages/x.py"]["tries"][0].update(settings=[1]), '"tries" item 1, "settings": must be an obj'),
    (lambda d: d["pages"]["pages/x.py"]["quiz"][0].update(answer=2), '"quiz" item 1: "answer" is an option.s index'),
    (lambda d: d["pages"]["pages/x.py"]["quiz"][0].update(answer=True), '"quiz" item 1, "answer": must be a whole'),
    (lambda d: d["pages"]["pages/x.py"]["quiz"][0].update(options=["a"]), '"quiz" item 1, "options": needs at least 2'),
    (lambda d: d["pages"]["pages/x.py"]["quiz"][0].update(explain=None), '"quiz" item 1, "explain": needs text'),
    (lambda d: d["pages"]["pages/x.py"]["tries"][0].update(outcome={"result": "r", "expect": "up"}),
     '"outcome", "expect": Input should be .rises., .falls., .flat. or .leads.'),
    (lambda d: d["pages"]["pages/x.py"]["tries"][0].update(outcome={"result": "r", "expect": "leads"}),
     '"outcome": "leads" names its "leader"'),
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


def run(*accuracies, labels=(), by="condition", field="score", names=None, items=20):
    """A measured run: per condition, the first round(accuracy × items) items right (so conditions are paired);
    the expected labels take turns, so none is the majority."""
    names, gold = names or [f"c{i}" for i in range(len(accuracies))], ("a", "b", "c")
    rows = [{by: name, "seed": 0, "input": f"item {i}", "expected": gold[i % 3],
             "extracted": gold[(i + (i >= round(a * items))) % 3], field: float(i < round(a * items))}
            for name, a in zip(names, accuracies) for i in range(items)]
    return {"labels": list(labels), "rows": rows}


@pytest.mark.parametrize("expect, accuracies, labels, ok", [
    ("rises", (0.10, 0.80), ("a", "b", "c"), True),
    ("rises", (0.10, 0.40), (), True),  # measurably higher, and no chance level to beat…
    ("rises", (0.10, 0.40), ("a", "b", "c"), False),  # …but within reach of guessing one of three labels
    ("rises", (0.5, 0.4), (), False),
    ("falls", (0.85, 0.5), (), True), ("falls", (0.5, 0.5), (), False),
    ("flat", (0.05, 0.1), (), True), ("flat", (0.05, 0.6), (), False), ("flat", (0.3, 0.1, 0.35), (), True),
])
def test_a_learners_run_is_judged_by_the_effects_rule_first_condition_against_last(expect, accuracies, labels, ok):
    said, judged = guide.judge(guide.Outcome(result="r", expect=expect), run(*accuracies, labels=labels))
    last = len(accuracies) - 1
    assert judged is ok and said.startswith(f"c{last} {accuracies[-1]:.0%} vs c0 {accuracies[0]:.0%} on 20 items")
    assert ("chance" in said) == bool(labels)


def test_leads_needs_a_measurable_lead_and_a_run_without_rows_is_not_judged():
    outcome = guide.Outcome(result="sb", expect="leads", measure="exact_match", label="technique", leader="LoRA adapter")
    clear = run(0.0, 0.1, 0.8, by="technique", field="exact", names=["zero-shot", "4-shot", "LoRA adapter"])
    said, ok = guide.judge(outcome, clear)
    assert ok and said.startswith("highest: LoRA adapter. LoRA adapter 80% vs 4-shot 10%")
    close = run(0.0, 0.3, 0.4, by="technique", field="exact", names=["zero-shot", "4-shot", "LoRA adapter"], items=10)
    assert guide.judge(outcome, close)[1] is False  # highest, but not measurably ahead on ten items
    other = run(0.0, 0.8, by="technique", field="exact", names=["zero-shot", "4-shot"])
    assert guide.judge(outcome, other)[1] is False
    assert guide.judge(outcome, {"rows": []}) is None and guide.judge(guide.Outcome(result="r", expect="rises"), {}) is None


def test_an_outcome_may_name_the_two_rows_it_compares_and_a_run_without_them_is_not_judged():
    outcome = guide.Outcome(result="r", expect="falls", first="gold", last="random")
    measured = run(0.2, 0.9, 0.3, 0.25, names=["zero-shot", "gold", "random", "none"])
    said, ok = guide.judge(outcome, measured)
    assert ok and said.startswith("random 30% vs gold 90% on 20 items")
    # Judged first against last, this run would be "rises": the named rows are what decide.
    assert guide.judge(guide.Outcome(result="r", expect="falls"), measured)[1] is False
    assert guide.judge(outcome, run(0.2, 0.9, names=["zero-shot", "gold"])) is None
