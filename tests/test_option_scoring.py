"""Option scoring (the few-shot papers' way of answering a label task) and the plain-text prompt of the base model."""

import json
import math

import pytest

from lib import backends, generation, option_scoring, prompting, tasks


def _whole(loaded, prompt: str, option: str) -> float:
    """log P(option | prompt) the plain way: prompt + option read together, one option at a time."""
    import torch

    p = loaded.tokenizer(prompt, add_special_tokens=False)["input_ids"]
    q = loaded.tokenizer(option, add_special_tokens=False)["input_ids"]
    with torch.inference_mode():
        logprobs = loaded.model(input_ids=torch.tensor([p + q])).logits[0].log_softmax(-1)
    return float(sum(logprobs[len(p) + j - 1, q[j]] for j in range(len(q))))


@pytest.mark.parametrize("which", ["chat", "base"])
def test_shared_prompt_scores_equal_reading_each_option_whole(which, chat_model, base_model):
    loaded = chat_model if which == "chat" else base_model
    task = tasks.load("intent")
    messages = prompting.build_messages(task, prompting.pick_shots(task, 2, 0), task.test[0].input)
    prompt = generation.render_prompt(loaded.tokenizer, messages)
    options = ["billing", " technical support team", "returns"]  # one token and several, different lengths
    shared = option_scoring.option_logprobs(loaded, prompt, options)
    assert shared == pytest.approx([_whole(loaded, prompt, o) for o in options], abs=1e-3)
    assert len(set(round(s, 3) for s in shared)) == 3


def test_option_scoring_picks_the_likeliest_and_beats_chance_zero_shot(chat_model):
    """Zero-shot, option scoring reads sentiment well (85 % on the 20 stored items): a scorer reading the wrong
    positions, or the wrong end of the scores, falls towards chance."""
    task = tasks.load("sentiment")
    test = task.test[:10]
    answer_all = prompting.answerer(backends.LocalBackend(chat_model), task, "options", 0)
    chosen = answer_all([prompting.build_messages(task, [], item.input) for item in test])
    for label, extra in chosen:
        scores = json.loads(extra["option_logprobs"])
        assert label == max(scores, key=scores.get) and all(s < 0 for s in scores.values())
    assert sum(label == item.output for (label, _), item in zip(chosen, test)) >= 7


def test_options_answers_store_each_labels_logprob(chat_model):
    task = tasks.load("helpdesk")
    answer_all = prompting.answerer(backends.LocalBackend(chat_model), task, "options", 0)
    (label, extra), = answer_all([prompting.build_messages(task, [], task.test[10].input)])
    logprobs = json.loads(extra["option_logprobs"])
    assert set(logprobs) == set(task.labels) and label == max(logprobs, key=logprobs.get)


def test_a_server_backend_says_it_cannot_score_options():
    server = backends.OpenAIBackend("http://127.0.0.1:9", "some-model")
    with pytest.raises(backends.NotOnThisBackend, match="127.0.0.1:9"):
        server.score_options([[{"role": "user", "content": "Hi"}]], ["yes", "no"])
    assert not server.can_score


def test_completion_prompt_is_the_same_shots_as_plain_text():
    task = tasks.load("sentiment")
    shots = prompting.pick_shots(task, 2, 0)
    text = generation.completion_prompt(prompting.build_messages(task, shots, "Lovely."))
    assert text == (f"{task.instruction}\n\nInput: {shots[0].input}\nOutput: {shots[0].output}\n\n"
                    f"Input: {shots[1].input}\nOutput: {shots[1].output}\n\nInput: Lovely.\nOutput:")
    assert generation.completion_prompt([{"role": "user", "content": "Hi"}]) == "Input: Hi\nOutput:"


def test_the_base_models_prompt_starts_with_its_bos_and_the_xray_finds_every_part(base_model):
    task = tasks.load("helpdesk")
    messages = prompting.build_messages(task, prompting.pick_shots(task, 2, 1), task.test[0].input)
    prompt = generation.render_prompt(base_model.tokenizer, messages)
    assert prompt.startswith(base_model.tokenizer.bos_token) and prompt.endswith("Output:")
    kinds = [kind for kind, _ in prompting.xray_parts(prompt, messages)]
    assert kinds.count("shot") == 4 and kinds.count("query") == 1 and kinds.count("instruction") == 1


def test_the_base_model_writing_stops_at_the_end_of_its_first_line_streamed_or_batched(base_model):
    task = tasks.load("sentiment")
    messages = prompting.build_messages(task, prompting.pick_shots(task, 4, 0), "Awful, cold food.")
    settings = generation.GenerationSettings(max_new_tokens=24)
    backend = backends.LocalBackend(base_model)
    answers = backend.answer_all([messages], settings)
    assert "\n" not in answers[0] and answers[0]
    assert "".join(backend.stream(messages, settings)).strip() == answers[0]  # one stop rule for both
    raw = generation.complete_batch(base_model, [backend.render_prompt(messages)], settings)[0]
    assert "\n" in raw.strip() and raw.split("\n")[0].strip() == answers[0]  # unstopped, it goes on


def test_candidates_are_the_labels_or_the_repeated_outputs_of_the_shots():
    assert prompting.candidates(tasks.load("intent")) == list(tasks.load("intent").labels)
    unlabelled = tasks.from_dict({"instruction": "", "examples": [{"input": f"q{i}", "output": "yes" if i % 2 else "no"}
                                                                  for i in range(6)], "test": [{"input": "t", "output": "no"}]})
    assert prompting.candidates(unlabelled) == ["no", "yes"] and prompting.has_options(unlabelled)
    assert not prompting.has_options(tasks.load("extraction")) and not prompting.has_options(tasks.load("arithmetic"))


def test_option_chances_are_shares_of_the_labels_probability():
    chances = prompting.option_chances({"a": math.log(0.2), "b": math.log(0.6)})
    assert chances == pytest.approx({"a": 0.25, "b": 0.75})


def test_result_names_and_settings_say_which_way():
    assert prompting.result_name("intent") == "prompting/intent"
    assert prompting.result_name("intent", "options", "base") == "prompting/intent-options-base"
    assert prompting.settings_of("fast", "options", "chat", 48, 20, 3, 4)["engine"] == "reference"
    assert prompting.settings_of("fast", "options", "chat", 48, 20, 3, 4)["max_new_tokens"] is None
    assert prompting.settings_of("fast", "generate", "chat", 48, 20, 3, 4)["engine"] == "fast"


def _stored(zero: list[int], shot_answers: dict[int, list[str]], gold: list[str]) -> dict:
    rows = [{"condition": "zero-shot", "seed": 0, "input": f"q{i}", "expected": g, "extracted": "x", "score": s}
            for i, (s, g) in enumerate(zip(zero, gold))]
    for seed, answers in shot_answers.items():
        rows += [{"condition": "4-shot", "seed": seed, "input": f"q{i}", "expected": g, "extracted": a,
                  "score": float(a == g)} for i, (a, g) in enumerate(zip(answers, gold))]
    return {"settings": {"shots": 4}, "labels": ["a", "b"], "rows": rows, "summary": prompting.summarize(rows)}


def test_shot_effects_judge_each_way_by_the_rule_and_name_one_sided_answers(monkeypatch):
    gold = ["a", "b"] * 10
    stored = {"prompting/t": _stored([1] * 10 + [0] * 10, {0: ["a"] * 20, 1: gold}, gold),
              "prompting/t-generate-base": _stored([0] * 20, {0: gold, 1: gold}, gold)}
    monkeypatch.setattr(prompting.experiments, "load", stored.get)
    effects = {(e["model"], e["method"]): e for e in prompting.shot_effects(["t"])}
    assert set(effects) == {("chat", "generate"), ("base", "generate")}
    chat, base = effects["chat", "generate"], effects["base", "generate"]
    assert (chat["zero-shot"], chat["k-shot"], chat["difference (points)"]) == (0.5, 0.75, 25)
    assert chat["commonest answer's share, k-shot"] == 0.75  # 20 of 20 answers alike with seed 0, 10 of 20 with seed 1
    assert chat["verdict"] == "no measurable difference" and chat["chance"] == 0.5  # one sampling is at chance
    assert base["verdict"] == "rises" and (base["difference (points)"], base["chance"]) == (100, 0.5)
    said = prompting.shot_effects_said(list(effects.values()))
    assert "Of 2 stored comparisons" in said and "measurably higher in 1, measurably lower in 0" in said
    assert "Higher: t (Gemma 3 270M, writing)" in said and "nearly the same answer" not in said
    chat |= {"commonest answer's share, k-shot": 0.9}
    assert "In 1 of them the model gave nearly the same answer" in prompting.shot_effects_said([chat])


def _stored_with_labels(answers: dict[str, list[str]], gold: list[str]) -> dict:
    """A stored run made with --labels: zero-shot once, each k-shot condition over two samplings alike."""
    rows = []
    for condition, said in answers.items():
        for seed in ([0] if condition == "zero-shot" else [0, 1]):
            rows += [{"condition": condition, "seed": seed, "input": f"q{i}", "expected": g, "extracted": a,
                      "score": float(a == g)} for i, (a, g) in enumerate(zip(said, gold))]
    return {"settings": {"shots": 4, "labels": prompting.LABELS_SETTING}, "labels": ["a", "b"], "rows": rows}


def test_what_shots_teach_compares_gold_with_random_labels_and_random_labels_with_no_shots(monkeypatch):
    gold = ["a", "b"] * 20
    wrong = ["b", "a"] * 20
    stored = {
        # The chat model reads the mapping: right labels right everywhere, random labels wrong everywhere.
        "prompting/t": _stored_with_labels({"zero-shot": wrong, "4-shot": gold, "4-shot, random labels": wrong,
                                            "4-shot, no labels": ["a"] * 40}, gold),
        # The base model takes the form only: gold and random alike, both far above zero-shot.
        "prompting/t-generate-base": _stored_with_labels({"zero-shot": ["x"] * 40, "4-shot": gold,
                                                          "4-shot, random labels": gold,
                                                          "4-shot, no labels": ["x"] * 40}, gold),
        # Stored without --labels: left out.
        "prompting/t-options-chat": _stored([1] * 40, {0: gold}, gold)}
    monkeypatch.setattr(prompting.experiments, "load", stored.get)
    rows = {(r["model"], r["method"]): r for r in prompting.what_shots_teach(["t"])}
    assert set(rows) == {("chat", "generate"), ("base", "generate")}
    chat, base = rows["chat", "generate"], rows["base", "generate"]
    assert (chat["gold labels"], chat["random labels"], chat["no labels"], chat["zero-shot"]) == (1.0, 0.0, 0.5, 0.0)
    assert chat["gold vs random"] == "rises" and chat["gold − random (points)"] == 100
    assert chat["random vs zero-shot"] == "no measurable difference" and chat["one answer's share, none"] == 1.0
    assert base["gold vs random"] == "no measurable difference" and base["random vs zero-shot"] == "rises"
    said = prompting.what_shots_teach_said(list(rows.values()))
    assert said.startswith("Of 2 stored ways") and "random labels scored measurably higher in 1, lower in 0, no " \
        "measurable difference in 1." in said
    assert "no shots at all: higher in 1, lower in 0, no measurable difference in 1." in said
    assert "read which label goes with which input: t (SmolLM2-135M-Instruct, writing)" in said
    assert "In 2 of the 6 k-shot runs the model gave one answer" in said  # chat's and base's "no labels"
    assert "they changed through their form" in prompting.what_shots_teach_said([base])
    flat = base | {"random vs zero-shot": "no measurable difference"}
    assert "made no measurable difference by the rule either" in prompting.what_shots_teach_said([flat])
    assert "not clear of chance" not in said
    within = flat | {"random vs zero-shot: why": "the better side is within chance"}
    assert "In 1 of the 1 ways (t (Gemma 3 270M, writing)) the random-label shots did lift the score" in \
        prompting.what_shots_teach_said([within])
    # The chart's rows: the label ways only, each condition named by what its shots showed.
    chart = prompting.ways_compared("t", labels=True)
    assert {r["shots"] for r in chart} == {"zero-shot", "gold labels", "random labels", "no labels"}
    assert {r["way"] for r in chart} == {"chat model, writes", "base model, writes"}
    assert {r["shots"] for r in prompting.ways_compared("t")} == {"zero-shot", "k-shot"}
