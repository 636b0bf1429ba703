"""LoRA side by side: the base model and a LoRA adapter answer the same sentence; then measure both."""

import pandas as pd
import streamlit as st

from lib import backends, charts, experiments, lora, meaning, runtime, scoreboard
from lib.generation import GenerationSettings
from ui import downloads, guide, stored, widgets

st.title("LoRA: base model vs adapter")
st.write("The task: turn a sentence about a video game into a meaning representation — `act(slot[value], …)`, "
         "the ViGGO format. The base model has never seen it; the adapter is a few megabytes of low-rank updates "
         "trained on a few thousand examples of it (each adapter's model card says which). Fine-tuning changes the "
         "*form* of the answers.")

choices = runtime.adapter_choices()
adapter = st.selectbox("Adapter", list(choices), key="lora_adapter",
                       help="Adapters you train on the 'train your own' page appear here (only for you).")
base_model, adapted = runtime.adapter_backend(None, of=choices[adapter]), runtime.adapter_backend(choices[adapter])
bundled = lora.BUNDLED.get(adapter)  # a session's own adapter has no model card; its settings are on its page
trained = lora.run_settings(bundled) if bundled else {}
st.caption(f"Base model: {base_model.name}" + (" — pretrained only, so it reads the sentence as plain text "
           "(`Input: … Output:`)" if getattr(base_model, "style", None) == backends.INPUT_OUTPUT else "")
           + (f". Trained on {trained['examples']:,} pairs, {trained['steps']} steps of {trained['batch_size']}."
              if {"examples", "steps", "batch_size"} <= trained.keys() else "."))
card = lora.model_card(bundled) if bundled else ""
if card:
    with st.expander("Model card: data, settings, results, limits"):
        st.markdown(card)
held_out = st.radio("Held-out sentences", list(lora.TEST_SETS), format_func=lora.SET_LABELS.get, horizontal=True,
                    key="lora_set", help="The real ViGGO test set is the main one. The people's sentences name real "
                                         "games and phrase things the generator's templates never do.")
test = lora.load_pairs(lora.TEST_SETS[held_out])
if held_out == "real":
    st.caption(f"{len(test):,} crowd-written sentences: the test split of the real ViGGO corpus (Juraska et al. "
               "2019, CC BY-SA 4.0; `data/viggo_real/README.md`). Adapters were chosen on its valid split; this "
               "split was measured once, after choosing.")
elif held_out == "people":
    measured = "; ".join(f"{name} {run['exact_match']:.0%} exact, slot F1 {run['slot_f1']:.2f}"
                         for name in lora.BUNDLED for stored_run in [experiments.load(lora.stored_run(name, "people"))]
                         if stored_run for run in [stored_run["lora"]])
    st.caption(f"{len(test)} sentences about real games, written by hand in ViGGO's style apart from the generator; "
               "nothing was trained or tuned on them. Adapters that learned from template sentences about invented "
               "games show here how far that learning carries. Stored runs: "
               f"{measured}. Neither is always right: the model cards say what still goes wrong.")
source = st.radio("Input", ["a held-out example", "my own sentence"], horizontal=True, key="lora_source")
if source == "my own sentence":
    sentence = st.text_input("Sentence", "Have you played Ember Valley? It runs on Linux.", key="lora_sentence",
                             max_chars=500)
    expected = None
else:
    index = st.selectbox("Held-out example", range(len(test)), format_func=lambda i: test[i]["input"][:110],
                         key=f"lora_example_{held_out}")
    sentence, expected = test[index]["input"], test[index]["target"]
if expected:
    st.markdown("**Expected:**")
    st.code(expected, language=None, wrap_lines=True)

greedy = GenerationSettings(max_new_tokens=lora.EVAL_TOKENS)
st.caption(f"Greedy, up to {lora.EVAL_TOKENS} new tokens: the settings the adapter is measured with (the sidebar's "
           "max tokens and temperature do not apply on this page).")
if st.button("Generate both", type="primary", key="lora_generate") and sentence.strip():
    for column, (title, answering) in zip(st.columns(2), [(f"Base model ({base_model.name})", base_model),
                                                          (f"Adapter: {adapter}", adapted)]):
        with column:
            st.markdown(f"**{title}**")
            result = runtime.stream_answer(lora.messages_for(sentence), backend=answering, settings=greedy,
                                           source=title)
            if result and expected:
                missing, extra = meaning.diff(result[0], expected)
                if meaning.exact_match(result[0], expected):
                    st.success("Exact match (slot order ignored)")
                else:
                    st.caption(f"slot F1 {meaning.slot_f1(result[0], expected):.2f} · missing: "
                               f"{', '.join(missing) or '—'} · unexpected: {', '.join(extra) or '—'}")

st.header("Measure: exact match and slot F1 on the held-out set")
# The whole set by default: the stored run and the caption above measure all of it.
count = widgets.count_slider("Held-out examples", 1, len(test), len(test), "lora_eval_n")
state_key = f"lora_eval_{adapter}_{held_out}"
made_now = st.button("Evaluate base vs adapter", key="lora_eval_run")
if made_now:
    with st.spinner(f"Generating {2 * count} answers…"):
        st.session_state[state_key] = runtime.run_in_turns(lora.evaluate, base_model, adapted, test[:count])
result = st.session_state.get(state_key)
if result is None or result["items"] != count:
    yours = {"engine": "reference", "max_new_tokens": lora.EVAL_TOKENS, "items": count, "set": held_out}
    stored_name = lora.stored_run(adapter, held_out)
    result = stored.stored_result(stored_name, yours, lora.summarize) if adapter in lora.BUNDLED else None
    if result is None:
        if adapter not in lora.BUNDLED:
            st.info("Press the button to measure this adapter.")
        st.stop()
# A stored run on the real test set may hold the adapter alone (the base model writes prose there: see the caption).
measured = [(who, key) for who, key in (("base", "base"), (adapter, "lora")) if key in result]
summary = experiments.over_seeds([r | {"model": who} for who, key in measured for r in result[key]["rows"]], "model",
                                 {"exact_match": "exact", "slot_f1": "slot_f1"})
figure = charts.exact_and_f1([s | {"technique": s["model"]} for s in summary],
                             f"{' vs '.join(who for who, _ in measured)} on {result['items']:,} held-out examples")
widgets.chart(figure, "lora_eval_chart")
if "base" not in result:
    st.caption("The base model was not run on this set for the stored run (it answers in prose, not in the format); "
               "press the button to measure both on as many sentences as you like.")
rows = pd.DataFrame([{"input": a["input"], "expected": a["expected"]} | ({"base": b["output"]} if b else {})
                     | {"adapter": a["output"]} | ({"base exact": b["exact"]} if b else {}) | {"adapter exact": a["exact"]}
                     for a, b in zip(result["lora"]["rows"], result["base"]["rows"] if "base" in result
                                     else [None] * len(result["lora"]["rows"]))])
if made_now:
    runtime.record(f"Evaluation — base vs adapter {adapter}", figure=figure, rows=rows.to_dict("records"),
                   settings={"adapter": adapter, "held-out examples": count, "set": lora.SET_LABELS[held_out],
                             "model": adapted.name, "engine": adapted.engine,
                             "max_new_tokens": lora.EVAL_TOKENS, "greedy": True},
                   prompts=[adapted.render_prompt(lora.messages_for(test[0]["input"]))],  # the first item's
                   measurements={f"{measure}, {s['model']}": s[measure] for s in summary
                                 for measure in ("exact_match", "slot_f1")})
if held_out == "real":  # nine acts: where the adapter is weak
    st.subheader("Per dialogue act")
    acts = pd.DataFrame(lora.per_act(result["lora"]["rows"]))[["act", "items", "exact_match", "exact_match_low", "exact_match_high",
                                            "slot_f1"]]
    st.dataframe(acts.style.format({c: "{:.0%}" for c in ["exact_match", "exact_match_low", "exact_match_high"]}
                                   | {"slot_f1": "{:.3f}"}), hide_index=True)
if held_out == "real" and "base_parameters" in result:
    st.write(lora.beside_published(result, scoreboard.references()))
st.dataframe(rows, hide_index=True)
downloads.csv_and_json(rows, result, "lora_eval", "lora_dl")

guide.panel(__file__)
