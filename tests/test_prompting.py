"""Scorers, task files, prompt builders, the X-ray, the context window — and a small real evaluation."""

import json

import pytest

from lib import backends, conversation, experiments, fast_engine, generation, meaning, prompting, scorers, tasks
from lib.cli import prompting as cli_prompting


@pytest.mark.parametrize("output, gold, expected", [
    ("The answer is 17.", "17", ("17", 1.0)),
    ("3 + 4 = 7, then 7 × 2 = 14", "14", ("14", 1.0)),
    ("It costs 1,250 dollars.", "1250", ("1250", 1.0)),
    ("I don't know.", "3", ("", 0.0)),
])
def test_number_scorer_reads_the_final_number(output, gold, expected):
    assert scorers.number(output, gold) == expected


def test_label_scorer_takes_the_first_label_mentioned():
    assert scorers.label("Negative, not positive.", "negative", ["positive", "negative"]) == ("negative", 1.0)
    assert scorers.label("It's great", "positive", ["positive", "negative"]) == ("", 0.0)


def test_json_scorer_counts_fields():
    gold = '{"name": "Ana Costa", "city": "Braga", "age": 29}'
    assert scorers.json_fields('Sure! {"name": "Ana Costa", "city": "Braga", "age": 29}', gold)[1] == 1.0
    assert scorers.json_fields('{"name": "Ana Costa", "city": "Porto", "age": "29"}', gold)[1] == pytest.approx(2 / 3)
    assert scorers.json_fields("no json here", gold) == ("", 0.0)


def test_meaning_representation_ignores_order_and_reads_values_with_parentheses():
    target = "inform(name[Ironroot], esrb[E (for Everyone)], platforms[PC, Xbox])"
    assert meaning.exact_match("inform(platforms[Xbox, PC], name[ironroot], esrb[E (for Everyone)])", target)
    assert not meaning.exact_match("inform(name[Ironroot], platforms[PC])", target)
    assert meaning.slot_f1("inform(name[Ironroot], platforms[PC])", target) == pytest.approx(2 * 0.6 * 1 / 1.6, abs=1e-6)
    assert meaning.parse("request_attribute(platforms[])") == ("request_attribute", {"platforms": frozenset()})


@pytest.mark.parametrize("name", tasks.builtin_names())
def test_builtin_tasks_have_forty_items_and_score_their_own_answers(name):
    task = tasks.load(name)
    assert len(task.examples) + len(task.test) >= 40
    for item in task.test:
        assert prompting.score(task, item.output, item.output)[1] == 1.0


def test_viggo_task_shares_the_lora_data():
    from pathlib import Path

    task = tasks.load("viggo")
    root = Path(tasks.TASK_DIR).parent / "viggo"
    train = [json.loads(line) for line in (root / "train.jsonl").read_text().splitlines()]
    assert task.examples[0].input == train[0]["input"] and task.examples[0].output == train[0]["target"]
    assert len(train) >= 1000 and len((root / "test.jsonl").read_text().splitlines()) >= 100


def test_arithmetic_rationales_end_with_their_answer():
    task = tasks.load("arithmetic")
    for item in task.examples:
        assert item.rationale.endswith(f"The answer is {item.output}.")
        assert scorers.number(item.rationale, item.output)[1] == 1.0


@pytest.mark.parametrize("name, data, message", [
    ("t.json", b"", "empty"),
    ("t.json", b"{not json", "not valid JSON"),
    ("t.json", b'{"examples": [], "test": []}', '"examples": needs at least 1 item'),
    ("t.json", b'{"examples": [{"input": "a"}], "test": [{"input": "b", "output": "c"}]}',
     '"examples" item 1, "output": is missing'),
    ("t.json", b'{"examples": [{"input": "", "output": "a"}], "test": [{"input": "b", "output": "c"}]}',
     '"examples" item 1, "input": must not be empty'),
    ("t.json", b'{"examples": [{"input": "a", "output": "b"}], "test": [{"input": "c", "output": "d"}], "scorer": "magic"}', "unknown scorer"),
    ("t.json", b'{"examples": [{"input": "a", "output": "b"}], "test": [{"input": "c", "output": "d"}], "scorer": "label"}',
     'The "label" scorer needs a "labels" list'),
    ("t.json", b'[1, 2]', 'expected a JSON object with "examples", "test"'),
    ("t.csv", b"question,answer\nx,y\n", "columns input and output"),
    ("t.json", "caf\xe9".encode("latin-1"), "not UTF-8"),
])
def test_bad_task_files_get_a_clear_message(name, data, message):
    with pytest.raises(tasks.TaskError, match=message):
        tasks.from_upload(name, data)


def test_csv_task_with_a_split_column():
    task = tasks.from_upload("t.csv", b"input,output,split\ncat,animal,example\noak,plant,example\ndog,animal,test\n")
    assert [i.input for i in task.examples] == ["cat", "oak"] and [i.input for i in task.test] == ["dog"]


def test_prompt_builders_put_shots_before_the_query():
    task = tasks.load("arithmetic")
    shots = prompting.pick_shots(task, 2, seed=1)
    assert shots == prompting.pick_shots(task, 2, seed=1) and shots != prompting.pick_shots(task, 2, seed=2)
    direct = prompting.build_messages(task, shots, "Q?")
    assert [m["role"] for m in direct] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert direct[2]["content"] == shots[0].output
    assert prompting.build_messages(task, shots, "Q?", cot="few")[2]["content"] == shots[0].rationale
    assert prompting.build_messages(task, [], "Q?", cot="zero")[-1]["content"].endswith(prompting.STEP_BY_STEP)
    picked = prompting.pick_shots(task, 2, 0, order=[3, 1])
    assert picked == [task.examples[3], task.examples[1]]


def test_xray_parts_cover_the_prompt_exactly_and_escape_html(chat_model):
    task = tasks.load("sentiment")
    messages = prompting.build_messages(task, prompting.pick_shots(task, 2, 0), "<script>alert(1)</script>")
    prompt = generation.render_prompt(chat_model.tokenizer, messages)
    parts = prompting.xray_parts(prompt, messages)
    assert "".join(text for _, text in parts) == prompt
    assert [kind for kind, _ in parts if kind != "template"] == ["instruction", "shot", "shot", "shot", "shot", "query"]
    rendered = prompting.xray_html(parts, [1] * len(parts))
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered


def test_context_window_drops_the_oldest_turns_first():
    history = [{"role": "system", "content": "s"}] + [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"m{i} " * 10} for i in range(6)]
    count = lambda msgs: sum(len(m["content"].split()) + 1 for m in msgs)  # noqa: E731
    kept, dropped = conversation.fit_window(history, count, limit=40, reserve=5)
    assert kept[0]["role"] == "system" and dropped == [1, 2, 3]  # 2 + 3 × 11 + 5 = 40 fits
    assert kept[-1] == history[-1]
    with pytest.raises(ValueError, match="longer than"):
        conversation.fit_window(history, count, limit=10, reserve=5)
    assert conversation.window_view(history, count, limit=40, reserve=5) == (kept, dropped)
    assert conversation.window_view(history, count, limit=10, reserve=5) == ([history[-1]], [1, 2, 3, 4, 5])
    assert conversation.tokens_per_message(history[:3], count) == [2, 11, 11]


def test_small_real_evaluation_reports_spread_over_seeds(chat_model):
    task = tasks.load("sentiment")
    settings = generation.GenerationSettings(max_new_tokens=8)
    result = prompting.evaluate(task, prompting.default_conditions(2, cot=False), seeds=2,
                                answer_all=lambda c: backends.LocalBackend(chat_model).answer_all(c, settings), limit=4)
    summary = {s["condition"]: s for s in result["summary"]}
    assert summary["zero-shot"]["seeds"] == 1 and summary["2-shot"]["seeds"] == 2
    assert len(result["rows"]) == 4 + 2 * 4
    for name, s in summary.items():  # the summary is the rows' scores averaged, per seed and then over seeds
        per_seed = [[r["score"] for r in result["rows"] if r["condition"] == name and r["seed"] == seed]
                    for seed in range(s["seeds"])]
        assert s["accuracy"] == pytest.approx(sum(sum(v) / len(v) for v in per_seed) / len(per_seed))
        assert s["accuracy_min"] == pytest.approx(min(sum(v) / len(v) for v in per_seed))


def test_cli_prints_each_comparison_with_its_interval_chance_and_verdict(capsys, tmp_path, fast_model):
    """A three-queue task file of its own (12 test items, 3 seeds): the summary says, per compared pair, the
    difference, its 95 % interval, chance and the verdict, and never "rises" where the interval includes zero."""
    from lib import effects

    task = json.loads((tasks.TASK_DIR / "helpdesk.json").read_text(encoding="utf-8"))
    task["name"], task["test"] = "kept-apart", [task["test"][i] for i in range(30) if i % 10 < 4]  # 4 a queue
    path = tmp_path / "queues.json"
    path.write_text(json.dumps(task), encoding="utf-8")
    cli_prompting.main(["eval", "--task", str(path), "--shots", "4", "--seeds", "3", "--max-new-tokens", "6", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["items"] == 12 and [s["condition"] for s in out["summary"]] == ["zero-shot", "4-shot"]
    (pair,) = out["comparisons"]
    low, high = pair["interval"]
    assert pair["first"] == "zero-shot" and pair["second"] == "4-shot" and low <= pair["difference"] <= high
    assert pair["chance"] == pytest.approx(1 / 3)
    assert pair["verdict"] == effects.verdict(low, high, pair["second_interval"][0], pair["chance"])[0]
    if low <= 0 <= high:
        assert pair["verdict"] == effects.NONE and "rises" not in pair["said"]
    assert "95% interval" in pair["said"] and "chance 33%" in pair["said"]


def test_precomputed_results_ship_for_every_builtin_task():
    for name in tasks.builtin_names():
        result = experiments.load(f"prompting/{name}")
        assert result is not None and result["model"] == "SmolLM2-135M-Instruct" and result["seeds"] >= 3
        # made with the engine the pages use by default, and saying so
        assert result["engine"] == fast_engine.LABELS["exact"] and result["max_new_tokens"] == prompting.default_budget(
            any("CoT" in s["condition"] for s in result["summary"]))


def test_shots_can_show_random_labels_or_none_and_keep_their_inputs():
    task = tasks.builtin("sentiment")
    shots = prompting.pick_shots(task, 4, seed=0)
    gold = prompting.build_messages(task, shots, "q")
    randomised = prompting.build_messages(task, shots, "q", answers=prompting.shown_answers(task, shots, "random", 0))
    blank = prompting.build_messages(task, shots, "q", answers=prompting.shown_answers(task, shots, "none", 0))
    users = lambda messages: [m["content"] for m in messages if m["role"] == "user"]  # noqa: E731
    answers = lambda messages: [m["content"] for m in messages if m["role"] == "assistant"]  # noqa: E731
    assert users(gold) == users(randomised) == users(blank)  # the same inputs, the same query
    assert answers(gold) == [s.output for s in shots] and answers(blank) == ["", "", "", ""]
    assert set(answers(randomised)) <= set(prompting.candidates(task))
    # Seeded: the same relabelling each time; over many seeds labels differ from the gold ones about as chance says.
    assert prompting.shown_answers(task, shots, "random", 0) == prompting.shown_answers(task, shots, "random", 0)
    agree = [a == s.output for seed in range(200) for a, s in zip(prompting.shown_answers(task, shots, "random", seed), shots)]
    assert abs(sum(agree) / len(agree) - 1 / len(prompting.candidates(task))) < 0.08
    assert prompting.shown_answers(task, shots, "gold", 0) is None
    with pytest.raises(ValueError, match="labels must be"):
        prompting.shown_answers(task, shots, "shuffled", 0)
