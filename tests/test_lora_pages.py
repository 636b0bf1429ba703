"""AppTests of the three LoRA pages."""

from apptest import chat_prompt, open_page, plain_prompt, recorded, watch

from lib import experiments, lora


def test_side_by_side_generates_both_and_shows_precomputed_numbers(chat_model):
    at = open_page("pages/lora.py")
    # Opens on the adapter trained on the real corpus and the real ViGGO test set, its stored run already drawn.
    assert at.selectbox(key="lora_adapter").value == "viggo-real" and at.radio(key="lora_set").value == "real"
    assert len(at.get("plotly_chart")) == 1  # precomputed evaluation before anyone clicks
    at.button(key="lora_generate").click().run()
    assert not at.exception
    assert any("Base model" in m.value for m in at.markdown)
    assert any("Adapter: viggo-real" in m.value for m in at.markdown)
    # Base first, adapter second: the base model never learned the format, so it gets a slot F1 caption; the
    # adapter gets "Exact match" or a higher slot F1.
    f1s = [float(c.value.split("slot F1 ")[1].split(" ")[0]) for c in at.caption if c.value.startswith("slot F1")]
    assert len(f1s) + len(at.success) == 2 and f1s
    assert len(at.success) == 1 or f1s[1] > f1s[0]
    # The notebook holds both answers, each with the prompt the model read: SmolLM2's chat template.
    sentence = lora.load_pairs(lora.TEST_SETS["real"])[0]["input"]
    base, adapted = recorded(at)[-2:]
    assert base.prompts == adapted.prompts == [chat_prompt(chat_model.tokenizer, lora.messages_for(sentence))]
    assert "LoRA 'viggo-real'" in adapted.settings["model"] and "LoRA" not in base.settings["model"]


def test_the_real_test_set_shows_the_adapter_per_act_beside_the_published_figures(chat_model):
    at = open_page("pages/lora.py")
    stored = experiments.load("lora/viggo-real-real-test")
    assert stored["items"] == len(lora.load_pairs(lora.TEST_SETS["real"])) == 1083  # the whole test split, once
    assert any(c.value.startswith("Stored run") and "--set real" in c.value for c in at.caption)
    acts = next(d.value for d in at.dataframe if "act" in d.value.columns)
    expected = {a["act"]: a for a in lora.per_act(stored["lora"]["rows"])}
    assert list(acts["act"]) == list(expected) and sum(acts["items"]) == stored["items"]
    assert acts["exact_match"].tolist() == [a["exact_match"] for a in expected.values()]
    said = next(m.value for m in at.markdown if "Reported by Anyscale" in m.value)
    assert f"gets {stored['lora']['exact_match']:.1%} exactly right" in said and "times the parameters" in said
    # The base model has no stored run here, and the page says so rather than drawing an empty bar.
    assert any("base model was not run on this set" in c.value for c in at.caption)


def test_the_gemma_adapter_answers_and_the_notebook_records_the_plain_text_it_read(base_model):
    at = open_page("pages/lora.py")
    at.selectbox(key="lora_adapter").set_value("viggo-gemma").run()
    at.button(key="lora_generate").click().run()
    assert not at.exception
    sentence = lora.load_pairs(lora.TEST_SETS["real"])[0]["input"]
    base, adapted = recorded(at)[-2:]
    expected = plain_prompt(base_model.tokenizer, lora.messages_for(sentence))
    assert base.prompts == adapted.prompts == [expected] and expected.endswith("\nOutput:")
    assert "<|im_start|>" not in expected and "viggo-gemma" in adapted.settings["model"]
    assert "\n" not in base.outputs[0].strip()  # the pretrained model's answer ends with its line


def test_the_gemma_adapter_is_served_on_its_own_base_model_with_its_stored_numbers(base_model):
    """Picking viggo-gemma switches the page to the Gemma server (streaming from a plain-text model is covered by
    the Summary page's test, whose read-and-answer adapter is on Gemma too)."""
    at = open_page("pages/lora.py")
    at.selectbox(key="lora_adapter").set_value("viggo-gemma").run()
    at.radio(key="lora_set").set_value("generated").run()  # its stored runs: the generated and people sets
    assert not at.exception
    settings = lora.run_settings(lora.BUNDLED["viggo-gemma"])
    assert any(c.value.startswith("Base model: gemma-3-270m") and f"Trained on {settings['examples']:,} pairs" in c.value
               for c in at.caption)
    # its model card, the data and settings it was made with, opens on the page
    assert any(e.label.startswith("Model card") for e in at.expander)
    assert any("people.jsonl" in m.value and "| setting | value |" in m.value for m in at.markdown)
    assert any(c.value.startswith("Stored run") and "--adapter viggo-gemma" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 1


def test_side_by_side_shows_both_held_out_sets_stored_numbers(chat_model):
    at = open_page("pages/lora.py")
    at.selectbox(key="lora_adapter").set_value("viggo").run()
    at.radio(key="lora_set").set_value("generated").run()
    generated = [c.value for c in at.caption if c.value.startswith("Stored run")]
    at.radio(key="lora_set").set_value("people").run()
    assert not at.exception
    people = lora.load_pairs(lora.TEST_SETS["people"])
    assert at.selectbox(key="lora_example_people").options[0] == people[0]["input"][:110]
    stored = [c.value for c in at.caption if c.value.startswith("Stored run")]
    assert stored and stored != generated and "--set people" in stored[0]
    best = experiments.load("lora/viggo-gemma-people")["lora"]  # the page states both adapters' measured effect
    assert any(f"viggo-gemma {best['exact_match']:.0%} exact, slot F1 {best['slot_f1']:.2f}" in c.value for c in at.caption)


def test_side_by_side_live_evaluation(chat_model):
    at = open_page("pages/lora.py")
    at.slider(key="lora_eval_n").set_value(2)
    at.button(key="lora_eval_run").click().run()
    assert not at.exception
    rows = next(d.value for d in at.dataframe if "input" in d.value.columns)
    assert len(rows) == 2 and {"base", "adapter", "base exact", "adapter exact"} <= set(rows.columns)
    assert not any("base model was not run" in c.value for c in at.caption)  # measured live: both models


def test_how_it_works_counts_parameters_from_the_model(chat_model):
    at = open_page("pages/lora_explained.py")
    assert any(m.value == "460,800" for m in at.metric)
    at.select_slider(key="lx_rank").set_value(16).run()
    assert any(m.value == "921,600" for m in at.metric)
    at.multiselect(key="lx_targets").set_value([]).run()
    assert any("at least one" in i.value for i in at.info)


def test_train_page_trains_and_the_adapter_appears_only_in_this_session(chat_model):
    at = open_page("pages/lora_train.py")
    at.slider(key="lt_steps").set_value(4)  # the fewest the page offers
    at.button(key="lt_start").click().run()
    job = at.session_state["lt_job"]
    watch(job, 600)
    at.run()
    assert job.state == "done" and not at.exception
    at.switch_page("pages/lora.py").run()
    options = at.selectbox(key="lora_adapter").options
    assert any(o.startswith("mine #1") for o in options)
    other = open_page("pages/lora.py")
    assert not any(o.startswith("mine") for o in other.selectbox(key="lora_adapter").options)


def test_train_page_refuses_a_bad_file(chat_model):
    at = open_page("pages/lora_train.py")
    at.file_uploader(key="lt_upload").set_value(("pairs.jsonl", b'{"input": "x"}\n', "application/jsonl")).run()
    assert any("can't be used" in e.value for e in at.error)
