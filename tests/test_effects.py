"""The one rule for comparisons (lib.effects), on made-up rows where the answer is known and on stored runs."""

import pytest

from lib import effects, experiments, tasks


def rows(condition, right, items=20, seeds=1, answer=None):
    """`right(item, seed)` → 1/0; every item's expected label takes turns among three."""
    gold = ("a", "b", "c")
    return [{"condition": condition, "seed": s, "input": f"q{i}", "expected": gold[i % 3],
             "extracted": answer or (gold[i % 3] if right(i, s) else gold[(i + 1) % 3]), "score": float(right(i, s))}
            for s in range(seeds) for i in range(items)]


@pytest.mark.parametrize("low, high, better_low, chance, said", [
    (0.05, 0.4, 0.6, 1 / 3, effects.RISES), (-0.1, 0.4, 0.6, 1 / 3, effects.NONE),
    (0.05, 0.4, 0.3, 1 / 3, effects.NONE), (0.05, 0.4, 0.3, None, effects.RISES), (-0.4, -0.05, 0.0, 0.5, effects.FALLS),
])
def test_the_rule(low, high, better_low, chance, said):
    assert effects.verdict(low, high, better_low, chance)[0] == said


def test_a_clear_gain_rises_and_an_identical_run_does_not():
    before, after = rows("zero-shot", lambda i, s: i < 2), rows("4-shot", lambda i, s: i < 18)
    gain = effects.compare(before + after, "zero-shot", "4-shot", ("a", "b", "c"))
    assert gain.verdict == effects.RISES and gain.low > 0 and gain.difference == pytest.approx(0.8)
    assert gain.low <= gain.difference <= gain.high
    assert gain.chance == pytest.approx(7 / 20)  # the commonest label is 7 of the 20 items: above 1 / 3
    same = effects.compare(before + rows("4-shot", lambda i, s: i < 2), "zero-shot", "4-shot", ("a", "b", "c"))
    assert same.verdict == effects.NONE and same.low == same.high == 0 and "includes zero" in same.said()


def test_shot_samplings_widen_the_interval_and_one_label_for_everything_is_named():
    steady = rows("4-shot", lambda i, s: i < 10, seeds=3)
    swinging = rows("4-shot", lambda i, s: (i < 2) if s == 0 else (i < 18), seeds=3)
    base = rows("zero-shot", lambda i, s: i < 10)
    narrow = effects.compare(base + steady, "zero-shot", "4-shot")
    wide = effects.compare(base + swinging, "zero-shot", "4-shot")
    assert wide.high - wide.low > narrow.high - narrow.low
    collapsed = effects.compare(base + rows("4-shot", lambda i, s: i % 3 == 0, answer="a"), "zero-shot", "4-shot")
    assert collapsed.collapsed == {"4-shot": "a"} and "answered “a” to nearly every item" in collapsed.said()


def test_the_stored_helpdesk_gain_is_within_chance_and_one_sampling_sent_everything_to_access():
    """The claim that once read "shots help the chat model here (10% → 36%)"."""
    stored = experiments.load("prompting/helpdesk")
    effect = effects.compare(stored["rows"], "zero-shot", "4-shot", tasks.load("helpdesk").labels)
    assert effect.chance == pytest.approx(1 / 3) and effect.second_low <= effect.chance
    assert effect.verdict == effects.NONE and effect.collapsed.get("4-shot") == "access"
    assert "No measurable gain at this size" in effect.said()


def test_comparing_conditions_with_no_item_in_common_says_so():
    with pytest.raises(ValueError, match="No item was answered under both"):
        effects.compare(rows("zero-shot", lambda i, s: 1), "zero-shot", "4-shot")
