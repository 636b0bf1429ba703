"""One task, every technique: the ViGGO-style held-out set from zero-shot prompting to a LoRA adapter."""

import pandas as pd
import streamlit as st

from lib import charts, lora, runtime, scoreboard
from ui import guide, stored, widgets

st.title("Scoreboard: one task, every technique")
st.write("The same held-out sentences, turned into meaning representations by the same bundled model, every way "
         "the lab has: no examples, random examples in the prompt, step-by-step thinking, the most similar training "
         "examples retrieved as shots, and the LoRA adapter (the chart names each rung). Exact match counts a "
         "sentence right when every slot is, in any order; slot F1 gives partial credit, on its own 0–1 axis. Bars "
         "show the mean; whiskers the 95 % interval over the sentences and shot samplings.")

held_out = st.radio("Held-out sentences", scoreboard.SETS, format_func=lora.SET_LABELS.get, horizontal=True,
                    key="sb_set", help="The people's sentences name real games and phrase things the templates never do.")
c1, c2 = st.columns(2)
# Defaults as large as the stored runs: ten sentences carry an interval of about ±30 points, too wide to read.
items = widgets.count_slider("How many", 2, len(lora.load_pairs(lora.TEST_SETS[held_out])), 30, "sb_items", c1)
seeds = c2.slider("Seeds for the few-shot rungs", 1, 3, 3, key="sb_seeds")
yours = {"engine": runtime.settings()["engine"], "max_new_tokens": scoreboard.ANSWER_TOKENS, "items": items, "seeds": seeds,
         "set": held_out}
result = st.session_state.get("sb_result")
if result is None or result["settings"] != yours:
    result = stored.stored_result("scoreboard" if held_out == "generated" else f"scoreboard-{held_out}", yours,
                                  scoreboard.summarize)
else:
    st.caption(f"Your run: {stored.describe(result['settings'])}, greedy.")
if result is not None:
    widgets.chart(charts.exact_and_f1(result["summary"], scoreboard.CHART_TITLE), "sb_chart")
    table = pd.DataFrame(result["summary"])[["technique", "exact_match", "exact_match_low", "exact_match_high",
                                             "slot_f1", "seeds"]]
    st.dataframe(table.style.format({c: "{:.0%}" for c in ["exact_match", "exact_match_low", "exact_match_high"]}
                                    | {"slot_f1": "{:.2f}"}), hide_index=True)
    st.write(scoreboard.said(result))
    st.markdown("**Reported elsewhere** (the real ViGGO, models about a hundred times larger; summarised secondhand "
                "from Anyscale's blog posts and not checked against a paper, so they are not drawn beside ours):")
    st.dataframe(pd.DataFrame(scoreboard.references()), hide_index=True)
    with st.expander("Every answer"):
        rows = pd.DataFrame(result["rows"])
        picked = st.selectbox("Technique", list(dict.fromkeys(rows["technique"])), key="sb_drill")
        st.dataframe(rows[rows["technique"] == picked], hide_index=True)
    st.download_button("Download the results (JSON)", pd.Series(result).to_json(force_ascii=False),
                       "scoreboard.json", "application/json", key="sb_download", on_click="ignore")

st.header("Recompute")
st.caption(f"About {items * (5 + 3 * seeds) // 4 + 10} s on this laptop when nobody else is asking; it takes turns with everyone else's answers, so it takes longer on a busy server. Any click elsewhere on "
           "the page stops it.")
if st.button("Recompute on the bundled models", key="sb_run"):
    bar = st.progress(0.0, text="Scoring…")
    chat, adapted = runtime.bundled_backend(), runtime.adapter_backend(scoreboard.ADAPTER)
    st.session_state.sb_result = runtime.run_in_turns(
        scoreboard.run, items, seeds, chat, adapted, runtime.embeddings(),
        progress=lambda f: bar.progress(f, text=f"Scoring… {f:.0%}"), held_out=held_out) | {"settings": yours}
    made = st.session_state.sb_result
    first = scoreboard.viggo_task(1, held_out).test[0].input
    runtime.record("Scoreboard — every technique on the same held-out sentences",
                   settings=yours | {"prompting rungs": f"{chat.name} ({chat.engine})",
                                     "LoRA rung": f"{adapted.name} ({adapted.engine})"},
                   prompts=[adapted.render_prompt(lora.messages_for(first))],  # the LoRA rung's first prompt
                   rows=made["rows"], figure=charts.exact_and_f1(made["summary"], scoreboard.CHART_TITLE),
                   measurements={f"{s['technique']}: exact match / slot F1": f"{s['exact_match']:.0%} / {s['slot_f1']:.2f}"
                                 for s in made["summary"]})
    st.rerun()

guide.panel(__file__)
