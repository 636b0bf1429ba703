"""Few-shot in-context learning: pick shots, see the exact prompt, compare zero-shot with k-shot, measure."""

import streamlit as st

from lib import prompting
from ui import prompting as ui, widgets
from ui import guide

st.title("Few-shot in-context learning")
st.write("Nothing in the model changes here. We put a few solved examples (shots) in front of the question and "
         "let the model continue the pattern. Choose the shots, look at the exact prompt, then measure whether "
         "they help this model.")

task = ui.task_picker("fs")
method, model = ui.method_and_model(task, "fs")
c1, c2 = st.columns(2)
k = widgets.count_slider("Shots (k)", 0, min(8, len(task.examples)), 4, "fs_k", c1)
how = c2.radio("Which shots", ["seeded random", "hand-picked"], horizontal=True, key="fs_how")
if how == "seeded random":
    seed = c2.number_input("Seed", 0, 9999, 0, key="fs_seed")
    shots = prompting.pick_shots(task, k, int(seed))
else:
    picked = st.multiselect("Shots, in the order they appear in the prompt", range(len(task.examples)),
                            format_func=lambda i: task.examples[i].input[:90], max_selections=8, key="fs_pick")
    shots = prompting.pick_shots(task, len(picked), 0, order=list(picked))

item = st.selectbox("Question (held-out test items)", range(len(task.test)),
                    format_func=lambda i: task.test[i].input[:120], key="fs_item")
query, expected = task.test[item].input, task.test[item].output
messages = prompting.build_messages(task, shots, query)

st.subheader(f"Prompt X-ray — {len(shots)}-shot")
ui.prompt_xray(messages, "fs", model)

if st.button(f"Answer zero-shot and {len(shots)}-shot", type="primary", key="fs_answer"):
    ui.answers_side_by_side(task, {"zero-shot": prompting.build_messages(task, [], query),
                                   f"{len(shots)}-shot": messages}, expected, method, model)

k_eval = max(len(shots), 1)
ui.evaluation(task, prompting.default_conditions(k_eval, cot=False), "fs", method, model, offer_labels=True)
ui.four_ways(task)
taught = prompting.what_shots_teach(ui.label_tasks())  # the section and the honesty panel both say it
ui.what_shots_teach(task, taught)
ui.references_few_shot(taught)
ui.icl_cost()

guide.panel(__file__)
