"""AppTests of the Few-shot, Chain-of-thought and Conversation pages."""

import json

from apptest import chat_prompt, open_page, recorded

from lib import experiments, prompting, tasks


def test_few_shot_switch_task_change_k_and_run_a_small_evaluation(fast_model):
    at = open_page("pages/few_shot.py")
    at.selectbox(key="fs_task").set_value("intent").run()
    at.slider(key="fs_k").set_value(2).run()
    assert any("total" in c.value for c in at.caption)
    assert any("2-shot" in s.value for s in at.subheader)
    at.slider(key="fs_seeds").set_value(1)
    at.slider(key="fs_limit").set_value(2)
    at.button(key="fs_run").click().run()
    assert not at.exception
    rows = at.dataframe[0].value
    assert set(rows["condition"]) == {"zero-shot", "2-shot"} and len(rows) == 4


def test_a_guided_experiment_is_checked_against_the_learners_own_run(fast_model):
    at = open_page("pages/few_shot.py")
    at.button(key="guide_few_shot_try_2").click().run()  # "A task written apart": helpdesk, 8 shots
    assert at.selectbox(key="fs_task").value == "helpdesk" and at.slider(key="fs_k").value == 8
    assert any("Measure it with the page's button" in c.value for c in at.caption)
    at.slider(key="fs_seeds").set_value(1)
    at.slider(key="fs_limit").set_value(2)
    at.button(key="fs_run").click().run()
    assert not at.exception
    verdicts = [m.value for m in [*at.success, *at.warning] if m.value.startswith("Your run:")]
    assert len(verdicts) == 1 and "zero-shot" in verdicts[0] and "8-shot" in verdicts[0] and "points" in verdicts[0]
    at.slider(key="fs_k").set_value(2).run()  # no longer the experiment's settings: no verdict on it
    assert not [m for m in [*at.success, *at.warning] if m.value.startswith("Your run:")]


def test_few_shot_shows_the_stored_run_only_for_its_settings(fast_model):
    at = open_page("pages/few_shot.py")
    at.selectbox(key="fs_task").set_value("intent").run()
    stored = [c.value for c in at.caption if c.value.startswith("Stored run")]
    evaluation_chart = lambda: [c for c in at.get("plotly_chart") if c.key == "fs_chart"]  # noqa: E731
    assert stored and "20 held-out items" in stored[0] and "3 shot samplings" in stored[0] and evaluation_chart()
    at.slider(key="fs_seeds").set_value(5).run()  # more samplings than were stored: nothing to show
    assert any("seeds: 3 (stored) vs 5 (yours)" in i.value for i in at.info) and not evaluation_chart()
    at.slider(key="fs_seeds").set_value(1)
    at.slider(key="fs_limit").set_value(5).run()  # fewer: the stored run's first rows, summarized again
    rows = at.dataframe[0].value
    assert len(rows) == 10 and set(rows["seed"]) == {0} and evaluation_chart()
    assert any("5 held-out items" in c.value for c in at.caption)
    at.slider(key="fs_k").set_value(2).run()  # 2 shots were never stored
    assert any("shots: 4 (stored) vs 2 (yours)" in i.value for i in at.info)
    # What shots cost: the stored timing, its crossing points in the words and the chart (one × per crossing).
    cost = experiments.load("icl_cost")
    eight = next(r for r in cost["summary"] if r["condition"] == "8-shot")
    said = next(m.value for m in at.markdown if "Shots are read again with every query" in m.value)
    assert f"{eight['prompt_tokens']:,.0f} prompt tokens" in said and f"{cost['crossing']['8-shot']:,.0f} queries" in said
    chart = next(c for c in at.get("plotly_chart") if c.key == "fs_cost_chart")
    crosses = [t for t in json.loads(chart.proto.spec)["data"] if t.get("mode") == "markers"]
    assert len(crosses) == len(cost["crossing"]) > 0


def test_few_shot_answers_side_by_side(fast_model, chat_model):
    at = open_page("pages/few_shot.py")
    at.button(key="fs_answer").click().run()
    assert not at.exception
    assert sum("answer read:" in c.value for c in at.caption) == 2
    entries = recorded(at)[-2:]  # zero-shot and k-shot, each with the chat template it was sent in
    assert all(e.prompts[0].startswith("<|im_start|>system") and e.prompts[0].endswith("<|im_start|>assistant\n")
               for e in entries)
    assert entries[0].prompts != entries[1].prompts and entries[1].prompts[0].count("<|im_start|>user") > 1


def test_few_shot_pretrained_base_writing_is_recorded_with_the_plain_text_it_read(base_model):
    at = open_page("pages/few_shot.py")
    at.radio(key="fs_model").set_value("base").run()
    at.button(key="fs_answer").click().run()
    assert not at.exception
    entries = recorded(at)[-2:]
    assert len(entries) == 2 and all(e.prompts[0].startswith(base_model.tokenizer.bos_token) and
                                     e.prompts[0].endswith("\nOutput:") and "<|im_start|>" not in e.prompts[0]
                                     for e in entries)
    assert all("\n" not in e.outputs[0].strip() for e in entries)  # each answer ends with its line


def test_custom_task_bad_file_then_good_file(fast_model):
    at = open_page("pages/few_shot.py")
    at.selectbox(key="fs_task").set_value("custom (your own examples)").run()
    assert not at.error and any("Upload a task file or type a few examples" in i.value for i in at.info)
    assert at.file_uploader(key="fs_upload").proto.max_upload_size_mb == 2  # the limit the label names
    at.file_uploader(key="fs_upload").set_value(("mine.json", b'{"examples": "nope"}', "application/json")).run()
    assert any("can't be used" in e.value and e.value.startswith("'mine") for e in at.error)  # names its file
    good = (b'{"instruction": "Answer yes or no.", "scorer": "label", "labels": ["yes", "no"], '
            b'"examples": [{"input": "Is ice cold?", "output": "yes"}], "test": [{"input": "Is fire cold?", "output": "no"}]}')
    at.file_uploader(key="fs_upload").set_value(("mine.json", good, "application/json")).run()
    assert not at.exception and not at.error


def test_chain_of_thought_three_ways(fast_model):
    at = open_page("pages/chain_of_thought.py")
    assert any("Wei et al." in str(d.value.to_dict()) for d in at.dataframe)
    assert any(c.value.startswith("Stored run") for c in at.caption)  # the four conditions the CLI measured
    at.button(key="cot_answer").click().run()
    assert not at.exception
    assert sum("answer read:" in c.value for c in at.caption) == 3
    entries = recorded(at)[-3:]  # three ways, three different prompts, each in the chat template it was sent in
    assert len({e.prompts[0] for e in entries}) == 3 and all(e.prompts[0].startswith("<|im_start|>") for e in entries)


def test_conversation_keeps_history_and_shows_the_window(fast_model, chat_model):
    at = open_page("pages/conversation.py")
    at.chat_input(key="conv_input").set_value("Hi, my name is Ada.").run()
    assert not at.exception
    assert [m["role"] for m in at.session_state["conv_messages"]] == ["user", "assistant"]
    system = at.text_input(key="conv_system").value  # the notebook's prompt: the system message and the turn
    assert recorded(at)[-1].prompts == [chat_prompt(chat_model.tokenizer, [{"role": "system", "content": system},
                                                                           {"role": "user", "content": "Hi, my name is Ada."}])]
    assert any("fall outside the window" in c.value for c in at.caption)
    at.chat_input(key="conv_input").set_value("x " * 3000).run()
    assert any("longer than" in e.value for e in at.error)
    assert len(at.session_state["conv_messages"]) == 2  # the refused message is not kept
    # A 25,000-character paste arrives (no max_chars to drop it in the browser) and is refused, saying so.
    assert at.chat_input(key="conv_input").proto.max_chars == 0
    at.chat_input(key="conv_input").set_value("y" * 25_000).run()
    assert any("That message is 25,000 characters; the limit here is 20,000" in e.value for e in at.error)
    assert len(at.session_state["conv_messages"]) == 2 and not any("yyyy" in t.value for t in at.text)  # not echoed
    # The windows table: the model in use from its own configuration, beside the published ones; the forced-token
    # run's share in words from the stored result, and its first examples.
    windows = at.dataframe[0].value
    assert chat_model.name in set(windows["model"]) and chat_model.context_window in set(windows["tokens"])
    assert {"GPT-3 175B", "LLaMA-2 (7B to 70B)"} <= set(windows["model"])
    forced = experiments.load("conversation/forced-token")
    said = next(m.value for m in at.markdown if "cannot take one back" in m.value)
    assert f"{forced['numeric']} of the {forced['items']} questions ask for a number" in said
    assert f"right one in {forced['stated']}. In {forced['forced']} of those" in said
    assert f"**{forced['recovered']:.0%}**" in said
    examples = at.dataframe[1].value
    assert 0 < len(examples) <= 4 and set(examples["fact still there"]) <= {"yes", "no"}


def test_few_shot_the_papers_way_base_model_and_option_scoring(base_model):
    at = open_page("pages/few_shot.py")
    at.selectbox(key="fs_task").set_value("helpdesk").run()
    at.radio(key="fs_model").set_value("base").run()
    at.radio(key="fs_method").set_value("options").run()
    xray = " ".join(h.proto.body for h in at.get("html"))
    assert "Input: " in xray and "Output:" in xray and "&lt;|im_start|&gt;" not in xray  # plain text, no chat template
    at.button(key="fs_answer").click().run()
    assert not at.exception
    assert sum("answer read:" in c.value for c in at.caption) == 2
    shares = [d.value for d in at.dataframe if "label" in d.value.columns]
    assert len(shares) == 2 and all(abs(s.iloc[:, 1].sum() - 1) < 1e-6 for s in shares)
    # this way's stored run, the four ways side by side, what the shots teach, and what shots cost
    assert [c.key for c in at.get("plotly_chart")] == ["fs_chart", "fs_four_ways", "fs_labels_chart", "fs_cost_chart"]
    at.slider(key="fs_seeds").set_value(1)
    at.slider(key="fs_limit").set_value(2)
    at.button(key="fs_run").click().run()
    rows = next(d.value for d in at.dataframe if "option_logprobs" in d.value.columns)
    assert len(rows) == 4 and set(rows["extracted"]) <= {"hardware", "network", "access"}
    # The same shots with random labels and with none, measured live: four conditions, the shots alike in each.
    at.toggle(key="fs_labels").set_value(True).run()
    at.button(key="fs_run").click().run()
    assert not at.exception
    result = at.session_state["fs_result"]
    assert [s["condition"] for s in result["summary"]] == ["zero-shot", "4-shot", "4-shot, random labels",
                                                           "4-shot, no labels"]
    shots = {r["condition"]: json.loads(r["prompt_messages"])[1:-1] for r in result["rows"] if r["seed"] == 0}
    gold, random_, none = (shots[c] for c in ("4-shot", "4-shot, random labels", "4-shot, no labels"))
    assert [m["content"] for m in gold if m["role"] == "user"] == [m["content"] for m in none if m["role"] == "user"]
    assert {m["content"] for m in random_ if m["role"] == "assistant"} <= {"hardware", "network", "access"}
    assert all(m["content"] == "" for m in none if m["role"] == "assistant")


def test_few_shot_says_what_the_shots_teach_from_the_stored_runs_with_random_labels(fast_model):
    at = open_page("pages/few_shot.py")
    label_tasks = [n for n in tasks.builtin_names() if tasks.builtin(n).labels]
    rows = prompting.what_shots_teach(label_tasks)
    assert len(rows) == 4 * len(label_tasks)  # every label task, both models, both methods
    said = prompting.what_shots_teach_said(rows)
    assert sum(said in m.value for m in at.markdown) == 2  # its section and the honesty panel
    table = next(d.value for d in at.dataframe if "gold vs random" in d.value.columns)
    assert len(table) == len(rows) and {"chance", "one answer's share, random"} <= set(table.columns)
    assert any("Min et al. 2022" in m.value and "Figure 1" in m.value for m in at.markdown)
    assert any("Brown et al. 2020" in m.value and "Figures 1.2" in m.value for m in at.markdown)


def test_free_form_tasks_have_no_option_scoring(fast_model):
    at = open_page("pages/few_shot.py")
    at.selectbox(key="fs_task").set_value("extraction").run()
    assert not [r for r in at.radio if r.key == "fs_method"]
    assert any("Option scoring needs a task with labels" in c.value for c in at.caption)
