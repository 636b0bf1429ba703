"""AppTests of the Train, SFT & RLHF, Summary and Scoreboard pages."""

from apptest import chat_prompt, open_page, recorded, watch

from lib import scoreboard
from lib.textsafe import escape_markdown


def test_train_calculator_follows_the_preset_and_the_knobs(fast_model):
    at = open_page("pages/train.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Training FLOPs"] == "8.40e+23"  # LLaMA-2 70B: 6 × 70e9 × 2e12
    assert metrics["GPU-hours"] == "1,869,658"  # at 40 % of an A100's 312 TFLOP/s
    assert any("1,720,320" in i.value and "43%" in i.value for i in at.info)  # reported, and the 0.435 it implies
    at.selectbox(key="tr_preset").set_value("SmolLM2-135M").run()
    assert {m.label: m.value for m in at.metric}["Training FLOPs"] == "1.61e+21"
    at.slider(key="tr_util").set_value(0.8).run()
    assert {m.label: m.value for m in at.metric}["GPU-hours"] == "1,796"
    assert len(at.get("plotly_chart")) == 1
    assert any(link.proto.page == "few_shot" and "What shots cost" in link.proto.label for link in at.get("page_link"))


def test_train_page_trains_a_tiny_model_from_scratch(fast_model):
    at = open_page("pages/train.py")
    at.slider(key="tr_seconds").set_value(10)
    at.button(key="tr_start").click().run()
    job = at.session_state["tr_job"]
    watch(job, 120)
    at.run()
    assert job.state == "done" and not at.exception
    assert job.log.losses[-1] < job.log.losses[0]
    assert any("steps in" in s.value and "parameters" in s.value for s in at.success)
    assert any(t.value.startswith("after step") for t in at.text)


def test_sft_compares_the_pretrained_base_with_the_tuned_model(fast_model, chat_model, base_model):
    at = open_page("pages/sft_rlhf.py")
    at.button(key="sft_go").click().run()
    assert not at.exception
    assert any("Gemma 3 270M" in m.value for m in at.markdown)  # the real base model, not the stand-in
    assert not at.warning
    assert any("<|im_start|>user" in c.value for c in at.code)  # the tuned model's chat format, shown
    answers = at.session_state["sft_answers"]
    at.run()  # any other click on the page: the two answers stay
    assert answers["tuned"] and sum(m.value == escape_markdown(answers["tuned"]) for m in at.markdown) == 1
    assert any(c.value == "It reads only your text and continues it:" for c in at.caption)
    # The notebook holds both answers with what each model read: the bare request after Gemma's BOS, and the
    # request in SmolLM2's chat template; the page shows the same two prompts.
    request = at.session_state["sft_answers"]["request"].strip()
    base, tuned = recorded(at)[-2:]
    assert base.prompts == [base_model.tokenizer.bos_token + request]
    assert tuned.prompts == [chat_prompt(chat_model.tokenizer, [{"role": "user", "content": request}])]
    assert [c.value for c in at.code] == [p.rstrip("\n") for p in base.prompts + tuned.prompts]  # st.code trims


def test_preference_picking_trains_a_reward_model_and_ranks(fast_model):
    at = open_page("pages/sft_rlhf.py")
    for choice in range(4):
        at.button(key="rl_sample").click().run()
        assert not at.exception
        at.button(key=f"rl_pick_{choice % 2}").click().run()
    labelling = at.session_state["rl_labelling"]
    assert len(labelling.prefs) == 4 and labelling.round == 4 and labelling.pair is None
    assert len(at.dataframe[0].value) == 4
    labels = {m.label: m.value for m in at.metric}
    assert labels["Held-out accuracy over your 4 choices (cross-validated)"] == "—"  # too few to hold any out
    assert labels["Length preference"] in ("longer", "shorter")
    at.slider(key="rl_n").set_value(3)
    at.button(key="rl_rank").click().run()
    assert not at.exception
    ranks = [m.value for m in at.markdown if m.value.startswith("**#")]
    assert len(ranks) == 3 and "picked" in ranks[0] and all("reward" in r for r in ranks)


def test_summary_answers_four_ways_with_fact_and_form_marks(fast_model):
    at = open_page("pages/summary.py")
    assert len(at.get("plotly_chart")) == 1  # the stored two-by-two, before anyone clicks
    assert any(c.value.startswith("Stored run") and "36 held-out items" in c.value for c in at.caption)
    at.button(key="sum_go").click().run()
    assert not at.exception
    marks = [m.value for m in at.markdown if ":material/" in m.value and "fact" in m.value and "form" in m.value]
    assert len(marks) == 4
    # The adapter (on Gemma, which reads plain text) keeps its two-line form on every stored question; the base
    # model (SmolLM2, in its chat template) never writes it.
    assert all("form :material/check_circle: yes" in m for m in marks[2:])
    assert all("form :material/cancel: no" in m for m in marks[:2])
    prompts = [c.value for c in at.code]
    assert sum(p.startswith("<bos>") and p.endswith("\nOutput:") for p in prompts) == 2
    assert sum(p.startswith("<|im_start|>system") for p in prompts) == 2
    # the notebook's, in the ways' order (st.code trims the template's last newline)
    assert [entry.prompts[0].rstrip("\n") for entry in recorded(at)[-4:]] == prompts


def test_summary_empty_question_gets_a_message(fast_model):
    at = open_page("pages/summary.py")
    at.radio(key="sum_mode").set_value("my own").run()
    at.text_input(key="sum_question").set_value("   ").run()
    at.button(key="sum_go").click().run()
    assert any("Type a question" in w.value for w in at.warning)


def test_scoreboard_shows_shipped_numbers_and_recomputes(fast_model):
    at = open_page("pages/scoreboard.py")
    assert len(at.get("plotly_chart")) == 1 and any("Stored run" in c.value for c in at.caption)
    at.slider(key="sb_items").set_value(2)
    at.slider(key="sb_seeds").set_value(1)  # every rung still runs; one shot sampling each
    at.button(key="sb_run").click().run()
    assert not at.exception
    assert any(c.value.startswith("Your run: fast engine") for c in at.caption)
    assert len(at.dataframe[0].value) == 7
    entry = recorded(at)[-1]  # the notebook names both backends and holds the LoRA rung's first prompt as sent
    assert f"LoRA '{scoreboard.ADAPTER}'" in entry.settings["LoRA rung"] and "fast" in entry.settings["prompting rungs"]
    assert entry.prompts[0].startswith("<|im_start|>system\nConvert the sentence to a meaning representation.")
