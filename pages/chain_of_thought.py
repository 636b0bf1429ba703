"""Chain-of-thought: direct answer vs "let's think step by step" vs worked examples, with the answer read out."""

import streamlit as st

from lib import prompting
from ui import prompting as ui, widgets
from ui import guide

st.title("Chain-of-thought")
st.write("Asking a model to write out its reasoning before the answer can help it on multi-step problems — "
         "if the model is big enough. Compare three prompts on the same question; the number we score is read "
         "from the end of the reasoning.")

task = ui.task_picker("cot", only_with_rationales=True)
if not task.has_rationales:
    st.info("Few-shot chain-of-thought needs shots with a \"rationale\" field; this task has none, so only the "
            "direct and zero-shot conditions are meaningful.")
k = widgets.count_slider("Worked examples for few-shot CoT", 1, min(8, len(task.examples)), 4, "cot_k")
item = st.selectbox("Question", range(len(task.test)), format_func=lambda i: task.test[i].input[:120], key="cot_item")
query, expected = task.test[item].input, task.test[item].output
shots = prompting.pick_shots(task, k, 0)
conditions = {
    "Direct answer": prompting.build_messages(task, [], query),
    "Zero-shot CoT": prompting.build_messages(task, [], query, cot="zero"),
    f"{k}-shot CoT": prompting.build_messages(task, shots, query, cot="few"),
}
view = st.radio("Prompt X-ray for", list(conditions), horizontal=True, key="cot_view")
ui.prompt_xray(conditions[view], "cot")

if st.button("Answer all three", type="primary", key="cot_answer"):
    ui.answers_side_by_side(task, conditions, expected)

ui.evaluation(task, prompting.default_conditions(k, cot=True), "cot")  # also plain k-shot: is it the reasoning?
ui.references_cot()

guide.panel(__file__)
