"""The next-token view's mechanics (lib.next_token), the forced-token experiment (lib.forced_token), what shots
cost (lib.icl_cost) and the context windows table (lib.conversation): on the tiny-config model where the lesson
does not depend on what the model knows."""

import pytest

from lib import conversation, forced_token, icl_cost, next_token
from lib.models import LoadedModel, load_causal_lm


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    model, tokenizer = load_causal_lm(str(tiny_model_dir))
    return LoadedModel("tiny", model, tokenizer, 0.0, False)


def test_the_greedy_next_token_is_the_likeliest_alternative_and_probabilities_are_sorted(tiny):
    ids = next_token.encode(tiny, "The battery lasts")
    options = next_token.alternatives(tiny, ids, k=5)
    assert len({o.id for o in options}) == 5
    assert [o.probability for o in options] == sorted((o.probability for o in options), reverse=True)
    assert 0 < sum(o.probability for o in options) <= 1 + 1e-6
    assert next_token.continue_from(tiny, ids, 1)[0] == options[0].id
    assert options[1].text == tiny.tokenizer.decode([options[1].id])


def test_a_continuation_goes_on_from_exactly_the_forced_prefix(tiny):
    ids = next_token.encode(tiny, "The battery lasts")
    runner_up = next_token.alternatives(tiny, ids, k=2)[1]
    branch = next_token.continue_from(tiny, ids + [runner_up.id], 6)
    # The branch is what the model writes after prefix + the forced token: the next token it picks is the
    # likeliest one after exactly those ids (text round trips could split the forced token another way).
    assert branch and branch[0] == next_token.alternatives(tiny, ids + [runner_up.id], k=1)[0].id
    assert len(branch) <= 6


@pytest.mark.parametrize("answer, fact, where", [
    ("It lasts for 9 days of use.", "9 days", 13),
    ("A member can borrow 12 items.", "12 items", 20),
    ("Costs €1,250 in total.", "1,250 euros", 7),
    ("The ferry leaves on Tuesday mornings.", "Tuesday", None),  # no number: another word need not be wrong
    ("It costs 15 crowns a day, 150 a year.", "150 crowns", 26),
    ("The Orrin T3 comes with a 3 year warranty.", "3 years", 26),  # not the 3 of "T3"
    ("It holds 1.4 litres, about 4 cups.", "4 cups", 27),  # not the 4 of "1.4"
    ("No number here.", "9 days", None),
])
def test_the_fact_starts_where_its_number_does(answer, fact, where):
    assert forced_token.fact_start(answer, fact) == where


def test_the_token_covering_an_offset(tiny):
    ids = next_token.encode(tiny, "It lasts for 9 days.")
    at = forced_token.token_at(tiny.tokenizer, ids, "It lasts for 9 days.".index("9"))
    assert "9" in tiny.tokenizer.decode(ids[at : at + 1])
    assert "9" not in tiny.tokenizer.decode(ids[:at])


def test_a_forced_row_replaces_one_token_and_keeps_everything_before_it(tiny, monkeypatch):
    # The tiny model knows no facts: say its answer states a number from its fourth token on.
    prompt = "The battery lasts"
    answer_ids = next_token.continue_from(tiny, next_token.encode(tiny, prompt), 12)
    before = tiny.tokenizer.decode(answer_ids[:3])
    monkeypatch.setattr(forced_token.rag, "contains_fact", lambda text, fact: True)
    monkeypatch.setattr(forced_token, "fact_start", lambda answer, fact: len(before))
    monkeypatch.setattr(forced_token, "TOP_K", len(tiny.tokenizer))  # random weights: search every token for a digit
    row = forced_token.forced_row(tiny, prompt, "FACT", 12)
    assert row["states_fact"] and row["forced_at"] == 3 and not row["numeric"]
    assert row["chosen"] == tiny.tokenizer.decode(answer_ids[3:4])
    assert row["with_forced"].startswith(before.strip())  # nothing before the forced token changed
    assert row["with_forced"][len(before.strip()):].startswith(row["forced"])  # and it is there, next
    assert row["forced"].strip() != row["chosen"].strip() and row["chosen_probability"] >= row["forced_probability"]
    assert row["forced"].strip()[0].isdigit()  # another number, never a word that could be a harmless rewording


def test_the_summary_counts_numeric_questions_stated_answers_forced_rows_and_recoveries():
    row = lambda numeric, stated, at, recovered=None: {"numeric": numeric, "states_fact": stated,  # noqa: E731
                                                       "forced_at": at, "recovered": recovered}
    rows = [row(True, True, 3, True), row(True, True, 2, False), row(True, False, None), row(False, True, None),
            row(True, True, 5, False), row(True, True, None)]  # the last: stated, but no other digit to force
    summary = forced_token.summarize(rows)
    assert (summary["numeric"], summary["stated"], summary["forced"]) == (5, 4, 3)
    assert summary["recovered"] == pytest.approx(1 / 3)
    assert summary["recovered_low"] < 1 / 3 < summary["recovered_high"]


def test_the_adapter_pays_back_its_training_after_training_over_the_saving_per_query():
    assert icl_cost.crossover(seconds_per_query=3.0, adapter_seconds=1.0, training_seconds=1000) == 500
    assert icl_cost.crossover(1.0, 1.0, 1000) is None and icl_cost.crossover(0.5, 1.0, 1000) is None


def test_the_cost_summary_averages_tokens_and_seconds_per_way():
    rows = [{"condition": "zero-shot", "kind": "shots", "input": "a", "prompt_tokens": 10, "answer_tokens": 4},
            {"condition": "4-shot", "kind": "shots", "input": "a", "prompt_tokens": 200, "answer_tokens": 6},
            {"condition": "zero-shot", "kind": "shots", "input": "b", "prompt_tokens": 14, "answer_tokens": 8}]
    timings = [{"condition": "zero-shot", "seconds": 1.0}, {"condition": "4-shot", "seconds": 3.0},
               {"condition": "zero-shot", "seconds": 2.0}]
    table = icl_cost.summarize(rows, timings)
    assert [r["condition"] for r in table] == ["zero-shot", "4-shot"]
    assert table[0] == {"condition": "zero-shot", "kind": "shots", "queries": 2, "prompt_tokens": 12,
                        "answer_tokens": 6, "seconds": 1.5}


def test_context_windows_in_tokens_and_words():
    per_token = conversation.words_per_token(lambda t: 2 * len(t.split()), ["one two three", "four"])
    assert per_token == 0.5
    mine = {"model": "mine", "tokens": 8192, "source": "this model's own configuration"}
    table = conversation.windows(mine, [{"model": "big", "tokens": 131072, "citation": "paper"},
                                                  {"model": "old", "tokens": 2048, "citation": "other"}], per_token)
    assert [r["model"] for r in table] == ["old", "mine", "big"]
    assert table[1] == {"model": "mine", "tokens": 8192, "source": "this model's own configuration", "words": 4096}


def test_crossings_set_only_shot_ways_against_the_adapter():
    summary = [{"condition": "zero-shot", "kind": "shots", "seconds": 1.0},
               {"condition": "8-shot", "kind": "shots", "seconds": 5.0},
               {"condition": "RAG, 4 passages", "kind": "passages", "seconds": 9.0},  # other questions: no crossing
               {"condition": icl_cost.ADAPTER, "kind": "adapter", "seconds": 1.5}]
    assert icl_cost.crossings(summary, training_seconds=700) == {"8-shot": 200}
