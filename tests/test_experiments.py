"""Every shipped result is what its code makes: the first rows made again, the same settings, the same command."""

import json

import pytest

from lib import experiments, lora, prompting

ALL = experiments.all_experiments()


def test_every_result_file_is_declared_and_every_declared_one_is_shipped():
    shipped = {p.relative_to(experiments.RESULTS_DIR).with_suffix("").as_posix()
               for p in experiments.RESULTS_DIR.rglob("*.json")}
    declared = {e.name for e in ALL}
    # engines.json is the benchmark's table (speeds differ run to run): bench/run.py --save writes it.
    assert shipped - {"engines"} == declared


@pytest.mark.parametrize("experiment", ALL, ids=[e.name for e in ALL])
def test_the_stored_result_is_what_its_code_makes(experiment, tmp_path):
    stored = experiment.load()
    assert stored["settings"] == experiment.settings  # the registry and the file agree on how it was made
    assert stored["command"] == f"{experiment.command} --json"
    again = experiment.run(tmp_path / "again.json", experiment.check)
    fresh, kept = experiments.rows_of(again), experiments.rows_of(stored)
    assert fresh, "the short run made no rows"
    missing = [row for row in fresh if not any(_same_row(row, k) for k in kept)]
    assert not missing, f"{len(missing)} of {len(fresh)} rows differ from the stored ones, e.g. {missing[0]}"


def _same_row(fresh: dict, kept: dict) -> bool:
    """Equal rows; an option's log-probability within 0.01 counts as equal: float32 sums over a batch of another
    shape can move the third decimal (-1.714 against -1.715), while the label it picks is compared exactly."""
    if fresh.keys() != kept.keys():
        return False
    for key, value in fresh.items():
        if key == "option_logprobs":
            a, b = json.loads(value), json.loads(kept[key])
            if a.keys() != b.keys() or any(abs(a[o] - b[o]) > 0.01 for o in a):
                return False
        elif value != kept[key]:
            return False
    return True


def _prompting_rows():
    rows = []
    for seed in range(2):
        for i, ok in enumerate([1.0, 0.0, 1.0]):
            rows.append({"condition": "4-shot", "seed": seed, "input": f"q{i}", "score": ok if seed == 0 else 1.0})
    return rows


def test_fewer_items_or_seeds_than_stored_show_the_first_rows_resummarized(monkeypatch):
    stored = {"settings": {"engine": "fast", "items": 3, "seeds": 2}, "items": 3, "seeds": 2, "rows": _prompting_rows()}
    monkeypatch.setattr(experiments.Experiment, "load", lambda self: stored)
    name = ALL[0].name
    result, differ = experiments.matching(name, {"engine": "fast", "items": 2, "seeds": 1}, prompting.summarize)
    assert differ == []
    assert result["settings"] == {"engine": "fast", "items": 2, "seeds": 1} and result["items"] == 2
    assert [r["input"] for r in result["rows"]] == ["q0", "q1"]
    assert result["summary"][0]["accuracy"] == 0.5  # recomputed over the two rows kept, not the stored summary
    assert stored["settings"]["items"] == 3  # the stored result is left as it was


def test_other_settings_than_stored_say_what_differs(monkeypatch):
    stored = {"settings": {"engine": "fast", "items": 3, "seeds": 2}, "rows": _prompting_rows()}
    monkeypatch.setattr(experiments.Experiment, "load", lambda self: stored)
    result, differ = experiments.matching(ALL[0].name, {"engine": "reference", "items": 5, "seeds": 2},
                                          prompting.summarize)
    assert result is None
    assert differ == ["engine: fast (stored) vs reference (yours)", "items: 3 (stored) vs 5 (yours)"]
    result, differ = experiments.matching("prompting/custom", {"engine": "fast"}, prompting.summarize)
    assert result is None and "nothing is stored" in differ[0]


def test_a_lora_result_keeps_base_and_adapter_rows_of_the_same_items():
    rows = lambda exact: [{"input": f"s{i}", "exact": e, "slot_f1": e} for i, e in enumerate(exact)]  # noqa: E731
    stored = {"settings": {"items": 3}, "items": 3, "base": {"rows": rows([0, 0, 1])}, "lora": {"rows": rows([1, 1, 0])}}
    out = experiments.restrict(stored, 2, None, lora.summarize)
    assert out["base"]["exact_match"] == 0.0 and out["lora"]["exact_match"] == 1.0 and out["items"] == 2



def test_the_engine_tables_accuracy_for_the_default_engine_is_the_stored_prompting_runs():
    """The Overview's engine table is a benchmark (its speeds differ run to run, so `make results` does not make it),
    but its accuracy columns for the default engine are the same measurement as the prompting runs that it does
    make: same items, seeds, shots and budgets. A change to prompts or scoring shows up here as a stale table."""
    from lib import engine_results

    table = engine_results.load()
    fast = next(e for e in table["engines"] if e["engine"].startswith("fast:"))
    assert set(fast["accuracy"]) == set(table["tasks"]) and table["tasks"]
    for task, conditions in fast["accuracy"].items():
        stored = {s["condition"]: s["accuracy"] for s in experiments.load(f"prompting/{task}")["summary"]}
        assert conditions == {c: round(stored[c], 3) for c in conditions}, task
