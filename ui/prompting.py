"""Widgets shared by the Few-shot and Chain-of-thought pages: task picker, prompt X-ray, evaluation, references."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from lib import charts, prompting, runtime, tasks
from lib.models import REPO_ROOT
from lib.tasks import Task
from lib.textsafe import escape_markdown
from ui import downloads, stored, widgets

CUSTOM = "custom (your own examples)"
REFERENCES = json.loads((REPO_ROOT / "data" / "references.json").read_text(encoding="utf-8"))
EMPTY_TABLE = pd.DataFrame([{"input": "", "output": "", "split": "example"}])


def task_picker(key: str, only_with_rationales: bool = False, default: str = "sentiment") -> Task:
    names = [n for n in tasks.builtin_names() if not only_with_rationales or tasks.builtin(n).has_rationales]
    choice = st.selectbox("Task", names + [CUSTOM], key=f"{key}_task", index=names.index(default) if default in names else 0,
                          format_func=lambda n: n if n == CUSTOM else f"{tasks.builtin(n).title} ({n})")
    if choice != CUSTOM:
        return tasks.builtin(choice)
    st.caption("Upload a task file (JSON in the documented format, or CSV with input, output[, rationale, split]) "
               "or type examples in the table; rows whose split is 'test' are held out for evaluation.")
    upload = st.file_uploader("Task file", type=["json", "csv"], key=f"{key}_upload")
    try:
        if upload is not None:
            return tasks.from_upload(upload.name, upload.getvalue())
        instruction = st.text_input("Instruction", "Answer in one word.", key=f"{key}_instruction")
        table = st.data_editor(EMPTY_TABLE, num_rows="dynamic", key=f"{key}_table")
        rows = [r for r in table.to_dict("records") if str(r.get("input") or "").strip()]
        return tasks.from_dict({"name": "custom", "instruction": instruction,
                                "examples": [r for r in rows if r.get("split") != "test"],
                                "test": [r for r in rows if r.get("split") == "test"]})
    except tasks.TaskError as error:
        st.error(f"This task can't be used yet: {escape_markdown(str(error))}")
        st.stop()


def prompt_xray(messages: list[dict], key: str) -> None:
    """The exact prompt after the chat template, coloured by part, with tokens per part and context use."""
    chosen = runtime.backend()
    prompt = chosen.render_prompt(messages)
    parts = prompting.xray_parts(prompt, messages)
    counts = [chosen.count_tokens(text) for _, text in parts]
    total = chosen.count_tokens(prompt)
    st.html(prompting.xray_html(parts, counts))
    per_kind = pd.DataFrame(parts, columns=["part", "text"]).assign(tokens=counts).groupby("part", sort=False)["tokens"].sum()
    legend = " · ".join(f"{kind} {per_kind.get(kind, 0)}" for kind in prompting.PART_COLOURS)
    approx = "" if chosen.exact_tokens else " (estimated: the server's tokenizer is unknown here)"
    st.caption(f"Tokens per part — {legend} · **total {total:,}**{approx}")
    share = total / chosen.context_window
    st.progress(min(share, 1.0), text=f"Context window: {total:,} of {chosen.context_window:,} tokens ({share:.1%})")
    if total > chosen.context_window:
        st.error("This prompt does not fit the model's context window; it will not be sent. Use fewer or shorter shots.")


def answers_side_by_side(task: Task, conditions: dict[str, list[dict]], expected: str) -> None:
    """Each condition's answer streamed in its own column, with what we read from it and whether it is right."""
    for column, (label, messages) in zip(st.columns(len(conditions)), conditions.items()):
        with column:
            st.markdown(f"**{label}**")
            result = runtime.stream_answer(messages)
            if result:
                extracted, value = prompting.score(task, result[0], expected)
                # Material icons come with Streamlit's font; emoji showed as empty boxes without an emoji font.
                verdict = (":material/check_circle: correct" if value == 1 else ":material/cancel: wrong" if value == 0
                           else f"score {value:.2f}")
                st.caption(f"answer read: {extracted or '—'} · expected: {expected} · {verdict}")


def evaluation(task: Task, conditions: list[prompting.Condition], key: str) -> None:
    st.header("Measure it on the held-out items")
    c1, c2 = st.columns(2)
    seeds = c1.slider("Shot samplings (seeds)", 1, 5, 3, key=f"{key}_seeds")
    limit = widgets.count_slider("Test items", 1, len(task.test), 20, f"{key}_limit", c2)
    budget = prompting.default_budget(any(c.cot != "none" for c in conditions))
    st.caption(f"Greedy, up to {budget} new tokens per answer (room for {'reasoning' if budget > 48 else 'a short answer'}), "
               "whatever the sidebar says: a measurement uses fixed settings, the same as the stored runs.")
    state_key = f"{key}_result"
    yours = {"engine": runtime.engine_name(), "max_new_tokens": budget, "items": limit, "seeds": seeds,
             "shots": max(c.k for c in conditions)}
    if st.button("Run the evaluation", key=f"{key}_run", type="primary"):
        bar = st.progress(0.0, text="Generating…")
        try:
            st.session_state[state_key] = runtime.run_in_turns(
                prompting.evaluate, task, conditions, seeds, runtime.greedy_answers(budget), limit,
                lambda f: bar.progress(f, text=f"Generating… {f:.0%}")) | {"settings": yours}
        except runtime.USER_ERRORS as error:
            st.error(escape_markdown(str(error)))
        bar.empty()
    result = st.session_state.get(state_key)
    if result is None or result["task"] != task.name or result["settings"] != yours:
        names = [c.name for c in conditions]
        result = stored.stored_result(f"prompting/{task.name}", yours,
                                      lambda rows: prompting.summarize([r for r in rows if r["condition"] in names]))
        if result is None:
            return
        if [s["condition"] for s in result["summary"]] != names:
            st.info("The stored run measured other conditions than this page's; press the button to measure these.")
            return
        result |= {"rows": [r for r in result["rows"] if r["condition"] in names]}
    summary = pd.DataFrame(result["summary"])
    st.plotly_chart(charts.accuracy_bars(summary, "condition", "accuracy", error="accuracy_std",
                                         title=f"{task.title or task.name}: accuracy (error bar: spread over seeds)"),
                    key=f"{key}_chart")
    rows = pd.DataFrame(result["rows"])
    with st.expander("Every item: prompt, output, what we read, correct?"):
        st.dataframe(rows, hide_index=True)
    downloads.csv_and_json(rows, result, f"{task.name}_eval", key)


def references_few_shot() -> None:
    ref = REFERENCES["few_shot"]
    with st.expander("What the papers report — and why our tiny model differs", expanded=True):
        table = pd.DataFrame([[r["benchmark"], *r["values"]] for r in ref["rows"]],
                             columns=["benchmark", *ref["columns"]])
        st.markdown(f"**{ref['model']}** — {ref['citation']}")
        st.dataframe(table, hide_index=True)
        st.write("Those gains come from a model with 175 billion parameters. Ours has 135 million — over a thousand "
                 "times fewer — and often copies the format of the shots without learning the rule behind them, "
                 "so extra shots can help, do nothing, or even hurt. Measure it above; pick a bigger backend in the "
                 "sidebar to see the contrast.")


def references_cot() -> None:
    with st.expander("What the papers report — and why our tiny model differs", expanded=True):
        st.dataframe(pd.DataFrame([{"model": r["model"], "benchmark": r["benchmark"], "without": r["before"],
                                    "with chain-of-thought": r["after"], "source": r["citation"]}
                                   for r in REFERENCES["chain_of_thought"]]), hide_index=True)
        st.write("Reasoning step by step helps only large models: in the chain-of-thought paper the gains appear "
                 "around a hundred billion parameters, and smaller models write chains that read well but do not "
                 "add up. At 135 million parameters, expect the same here; a bigger backend shows the difference.")
