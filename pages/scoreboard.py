"""One task, every technique: the ViGGO-style held-out set from zero-shot prompting to a LoRA adapter."""

import pandas as pd
import streamlit as st

from lib import charts, lora, runtime, scoreboard
from ui import guide, stored, widgets

st.title("Scoreboard: one task, every technique")
st.write("The same held-out sentences, turned into meaning representations by the same bundled model, seven ways: "
         "with no examples, with 1, 4 or 8 random examples in the prompt, asked to think step by step, with the "
         "4 most similar training examples retrieved as shots, and through the LoRA adapter. Exact match ignores "
         "slot order; slot F1 gives partial credit. Bars show the mean over shot samplings, whiskers the range.")

held_out = st.radio("Held-out sentences", list(lora.TEST_SETS), format_func=lora.SET_LABELS.get, horizontal=True,
                    key="sb_set", help="The people's sentences name real games and phrase things the templates never do.")
c1, c2 = st.columns(2)
items = widgets.count_slider("How many", 2, len(lora.load_pairs(lora.TEST_SETS[held_out])), 10, "sb_items", c1)
seeds = c2.slider("Seeds for the few-shot rungs", 1, 3, 1, key="sb_seeds")
yours = {"engine": runtime.settings()["engine"], "max_new_tokens": scoreboard.ANSWER_TOKENS, "items": items, "seeds": seeds,
         "set": held_out}
result = st.session_state.get("sb_result")
if result is None or result["settings"] != yours:
    result = stored.stored_result("scoreboard" if held_out == "generated" else f"scoreboard-{held_out}", yours,
                                  scoreboard.summarize)
else:
    st.caption(f"Your run: {stored.describe(result['settings'])}, greedy.")
if result is not None:
    refs = scoreboard.references()
    widgets.chart(charts.scoreboard_ladder(result["summary"], refs), "sb_chart")
    table = pd.DataFrame(result["summary"])[["technique", "exact_match", "exact_match_min", "exact_match_max",
                                             "slot_f1", "seeds"]]
    st.dataframe(table.style.format({c: "{:.0%}" for c in ["exact_match", "exact_match_min", "exact_match_max",
                                                           "slot_f1"]}), hide_index=True)
    st.markdown("**Published references** (real ViGGO, much larger models — compare the shape, not the numbers):")
    st.dataframe(pd.DataFrame(refs), hide_index=True)
    with st.expander("Every answer"):
        rows = pd.DataFrame(result["rows"])
        picked = st.selectbox("Technique", list(dict.fromkeys(rows["technique"])), key="sb_drill")
        st.dataframe(rows[rows["technique"] == picked], hide_index=True)
    st.download_button("Download the results (JSON)", pd.Series(result).to_json(force_ascii=False),
                       "scoreboard.json", "application/json", key="sb_download")
    st.info("Why the ladder looks like this: a 135M model barely copies a format from random examples and cannot "
            "reason its way to it, so plain prompting stays near zero. Retrieving the most similar training "
            "examples as shots gets further — similar sentences show the answer's shape — and LoRA training on "
            "generated pairs teaches the form best of all (the highest slot F1). Its adapter, `viggo` on SmolLM2, "
            "learned from the data's first version, which said one attribute per phrase outside statements, so "
            "sentences that pack several into one phrase are where it still misses; `viggo-gemma`, trained on the "
            "broadened data, does better on the LoRA page. Larger models climb the prompting rungs much further "
            "(grey bars).")

st.header("Recompute")
st.caption(f"About {items * (5 + 3 * seeds) // 4 + 10} s on this laptop's 2 cores when nobody else is asking; it "
           "takes turns with everyone else's answers, so it takes longer on a busy server. Any click elsewhere on "
           "the page stops it.")
if st.button("Recompute on the bundled models", key="sb_run"):
    bar = st.progress(0.0, text="Scoring…")
    st.session_state.sb_result = runtime.run_in_turns(
        scoreboard.run, items, seeds, *scoreboard.runners(runtime.bundled_backend(), runtime.server_for("viggo"),
                                                          runtime.embeddings()),
        progress=lambda f: bar.progress(f, text=f"Scoring… {f:.0%}"), held_out=held_out) | {"settings": yours}
    made = st.session_state.sb_result
    runtime.record("Scoreboard — every technique on the same held-out sentences", settings=yours,
                   rows=made["rows"], figure=charts.scoreboard_ladder(made["summary"], scoreboard.references()),
                   measurements={f"{s['technique']}: exact match / slot F1": f"{s['exact_match']:.0%} / {s['slot_f1']:.2f}"
                                 for s in made["summary"]})
    st.rerun()

guide.panel(__file__)
