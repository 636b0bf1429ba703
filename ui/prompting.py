"""Widgets shared by the Few-shot and Chain-of-thought pages: task picker, prompt X-ray, evaluation, references."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from lib import charts, experiments, figures, icl_cost as cost, prompting, runtime, tasks
from lib.tasks import Task
from lib.textsafe import escape_markdown
from ui import downloads, stored, widgets

CUSTOM = "custom (your own examples)"
EMPTY_TABLE = pd.DataFrame([{"input": "", "output": "", "split": "example"}])


def task_picker(key: str, only_with_rationales: bool = False, default: str = "sentiment") -> Task:
    names = [n for n in tasks.builtin_names() if not only_with_rationales or tasks.builtin(n).has_rationales]
    choice = st.selectbox("Task", names + [CUSTOM], key=f"{key}_task", index=names.index(default) if default in names else 0,
                          format_func=lambda n: n if n == CUSTOM else f"{tasks.builtin(n).title} ({n})")
    if choice != CUSTOM:
        return tasks.builtin(choice)
    st.caption("Upload a task file (JSON in the documented format, or CSV with input, output[, rationale, split]) "
               "or type examples in the table; rows whose split is 'test' are held out for evaluation.")
    limit_mb = tasks.MAX_FILE_BYTES // 2**20
    # The uploader refuses a bigger file in the browser, before it arrives: the limit is said where it applies.
    upload = st.file_uploader(f"Task file (up to {limit_mb} MB)", type=["json", "csv"], key=f"{key}_upload",
                              max_upload_size=limit_mb)
    try:
        if upload is not None:
            try:
                return tasks.from_upload(upload.name, upload.getvalue())
            except tasks.TaskError as error:  # the file is named: a message never outlives the file it is about
                st.error(f"'{escape_markdown(upload.name)}' can't be used: {escape_markdown(str(error))}")
                st.stop()
        instruction = st.text_input("Instruction", "Answer in one word.", key=f"{key}_instruction")
        table = st.data_editor(EMPTY_TABLE, num_rows="dynamic", key=f"{key}_table")
        rows = [r for r in table.to_dict("records") if str(r.get("input") or "").strip()]
        if not rows:  # nothing given yet is not a mistake
            st.info("Upload a task file or type a few examples (and some rows with split 'test') to begin.")
            st.stop()
        return tasks.from_dict({"name": "custom", "instruction": instruction,
                                "examples": [r for r in rows if r.get("split") != "test"],
                                "test": [r for r in rows if r.get("split") == "test"]})
    except tasks.TaskError as error:
        st.error(f"This task can't be used yet: {escape_markdown(str(error))}")
        st.stop()


def method_and_model(task: Task, key: str) -> tuple[str, str]:
    """How the model answers (write freely, or option scoring) and which model: the chat way or the papers' way."""
    c1, c2 = st.columns(2)
    model = c1.radio("Model", list(prompting.MODELS), format_func=prompting.MODELS.get, key=f"{key}_model")
    if not prompting.has_options(task):
        c2.caption("Option scoring needs a task with labels (or shots whose outputs repeat); this one has "
                   "free-form answers, so the model writes them.")
        return "generate", model
    method = c2.radio("How it answers", list(prompting.METHODS), format_func=prompting.METHODS.get,
                      key=f"{key}_method")
    return method, model


def _prompt_and_tokens(messages: list[dict], model: str) -> tuple[str, object, int, bool]:
    """(the exact prompt, a token counter, the context window, whether counts are exact) for the chosen model."""
    chosen = runtime.shown_backend() if model == "chat" else runtime.pretrained_backend()
    return chosen.render_prompt(messages), chosen.count_tokens, chosen.context_window, chosen.exact_tokens


def prompt_xray(messages: list[dict], key: str, model: str = "chat") -> None:
    """The exact prompt (chat template, or plain text for the base model), coloured by part, with tokens per part
    and context use."""
    prompt, count_tokens, window, exact = _prompt_and_tokens(messages, model)
    parts = prompting.xray_parts(prompt, messages)
    counts = [count_tokens(text) for _, text in parts]
    total = count_tokens(prompt)
    st.html(prompting.xray_html(parts, counts))
    per_kind = pd.DataFrame(parts, columns=["part", "text"]).assign(tokens=counts).groupby("part", sort=False)["tokens"].sum()
    legend = " · ".join(f"{kind} {per_kind.get(kind, 0)}" for kind in prompting.PART_COLOURS)
    approx = "" if exact else " (estimated: the server's tokenizer is unknown here)"
    st.caption(f"Tokens per part — {legend} · **total {total:,}**{approx}")
    share = total / window
    st.progress(min(share, 1.0), text=f"Context window: {total:,} of {window:,} tokens ({share:.1%})")
    if total > window:
        st.error("This prompt does not fit the model's context window; it will not be sent. Use fewer or shorter shots.")


def _verdict(task: Task, output: str, expected: str) -> str:
    extracted, value = prompting.score(task, output, expected)
    # Material icons come with Streamlit's font; emoji showed as empty boxes without an emoji font.
    mark = (":material/check_circle: correct" if value == 1 else ":material/cancel: wrong" if value == 0
            else f"score {value:.2f}")
    return f"answer read: {extracted or '—'} · expected: {expected} · {mark}"


def answers_side_by_side(task: Task, conditions: dict[str, list[dict]], expected: str, method: str = "generate",
                         model: str = "chat") -> None:
    """Each condition's answer in its own column (streamed when the chat model writes), with what we read from it
    and whether it is right; with option scoring, how likely the model found each label."""
    columns = st.columns(len(conditions))
    if method == "generate":  # the model writes: each answer streams from its backend
        answering = runtime.sending_backend() if model == "chat" else runtime.pretrained_backend()
        for column, (label, messages) in zip(columns, conditions.items()):
            with column:
                st.markdown(f"**{label}**")
                result = runtime.stream_answer(messages, backend=answering, source=label)
                if result:
                    st.caption(_verdict(task, result[0], expected))
        return
    answering = runtime.backend_for(model, method)
    answers = runtime.run_in_turns(prompting.answerer(answering, task, method, 0), list(conditions.values()))
    runtime.record_answers(answering, f"Option scoring — {', '.join(conditions)}", list(conditions.values()),
                           [answer for answer, _ in answers], {"method": prompting.METHODS[method]})
    for column, label, (output, extra) in zip(columns, conditions, answers):
        with column:
            st.markdown(f"**{label}**")
            st.text(output)
            st.caption(_verdict(task, output, expected))
            if "option_logprobs" in extra:
                chances = prompting.option_chances(json.loads(extra["option_logprobs"]))
                st.dataframe(pd.DataFrame({"label": list(chances), "share of the labels' probability": list(chances.values())}),
                             hide_index=True, column_config={"share of the labels' probability":
                                                             st.column_config.ProgressColumn(format="percent")})


def evaluation(task: Task, conditions: list[prompting.Condition], key: str, method: str = "generate",
               model: str = "chat", offer_labels: bool = False) -> None:
    """Measure `conditions` live (or show the stored run made the same way). `offer_labels`: a switch adds the
    same k shots with random labels and with none (what the shots teach)."""
    st.header("Measure it on the held-out items")
    if offer_labels and st.toggle(
            "Also the same shots with random labels, and with no labels", key=f"{key}_labels",
            help="If random labels score as well as the right ones, the model took the form and the label set from "
                 "the shots, not which label goes with which input."):
        conditions = conditions + prompting.label_conditions(max(c.k for c in conditions))
    c1, c2 = st.columns(2)
    seeds = c1.slider("Shot samplings (seeds)", 1, 5, 3, key=f"{key}_seeds")
    limit = widgets.count_slider("Test items", 1, len(task.test), 20, f"{key}_limit", c2)
    budget = prompting.default_budget(any(c.cot != "none" for c in conditions))
    if method == "generate":
        st.caption(f"Greedy, up to {budget} new tokens per answer (room for {'reasoning' if budget > 48 else 'a short answer'}), "
                   "whatever the sidebar says: a measurement uses fixed settings, the same as the stored runs.")
    else:
        st.caption(f"Option scoring: the likeliest of {len(prompting.candidates(task))} labels after the prompt; "
                   "nothing is written, so the sidebar's settings play no part.")
    state_key = f"{key}_result"
    yours = prompting.settings_of(runtime.engine_name(), method, model, budget, limit, seeds,
                                  max(c.k for c in conditions), any(c.labels != "gold" for c in conditions))
    made_now = False
    if st.button("Run the evaluation", key=f"{key}_run", type="primary"):
        bar = st.progress(0.0, text="Generating…")
        try:
            answering = runtime.backend_for(model, method)
            st.session_state[state_key] = runtime.run_in_turns(
                prompting.evaluate, task, conditions, seeds, prompting.answerer(answering, task, method, budget), limit,
                lambda f: bar.progress(f, text=f"Generating… {f:.0%}")) | {"settings": yours}
            made_now = True
        except runtime.USER_ERRORS as error:
            st.error(escape_markdown(str(error)))
        bar.empty()
    result = st.session_state.get(state_key)
    if result is None or result["task"] != task.name or result["settings"] != yours:
        names = [c.name for c in conditions]
        result = stored.stored_result(prompting.result_name(task.name, method, model), yours,
                                      lambda rows: prompting.summarize([r for r in rows if r["condition"] in names]))
        if result is None:
            return
        if [s["condition"] for s in result["summary"]] != names:
            st.info("The stored run measured other conditions than this page's; press the button to measure these.")
            return
        result |= {"rows": [r for r in result["rows"] if r["condition"] in names]}
    summary = pd.DataFrame(result["summary"])
    figure = charts.accuracy_bars(summary, "condition", "accuracy", chance=prompting.chance(task, limit),
                                  title=f"{task.title or task.name}: {prompting.measure_name(task)} (95% interval "
                                        "over items and shot samplings)")
    widgets.chart(figure, f"{key}_chart")
    if made_now:
        first_of_each = {}  # one prompt per condition, exactly as sent: the first item's
        for row in result["rows"]:
            first_of_each.setdefault(row["condition"], json.loads(row["prompt_messages"]))
        runtime.record(f"Evaluation — {task.title or task.name}", settings=yours | {"model": answering.name},
                       figure=figure, rows=result["rows"],
                       prompts=[answering.render_prompt(messages) for messages in first_of_each.values()],
                       measurements={f"accuracy, {s['condition']}": s["accuracy"] for s in result["summary"]})
    rows = pd.DataFrame(result["rows"])
    with st.expander("Every item: prompt, output, what we read, correct?"):
        st.dataframe(rows, hide_index=True)
    downloads.csv_and_json(rows, result, f"{task.name}_eval", key)


def four_ways(task: Task) -> None:
    """The stored runs of this task side by side: chat model vs base model, writing vs option scoring."""
    rows = prompting.ways_compared(task.name)
    if not rows:
        return
    st.header("The chat way and the papers' way")
    st.write("The few-shot papers used a pretrained model continuing a pattern, and scored label tasks by which "
             "label the model found likeliest; it never had to write. Here the same shots go to both of our models, "
             "answered both ways. Stored runs, greedy, on the held-out items:")
    table = pd.DataFrame(rows)
    widgets.chart(charts.accuracy_bars(table, "way", "accuracy", color="shots", chance=prompting.chance(task),
                                       title=f"{task.title or task.name}: zero-shot vs k-shot, four ways (95% "
                                             "interval over items and shot samplings)"), "fs_four_ways")
    st.caption("Made by `make results`; each way's command is in data/experiments.json.")


def label_tasks() -> list[str]:
    return [n for n in tasks.builtin_names() if tasks.builtin(n).labels]


def what_shots_teach(task: Task, rows: list[dict]) -> None:
    """Min et al. 2022's test on the stored runs: the same shots showing the right labels, random ones, or none
    (`rows`: prompting.what_shots_teach, made once a page run for this section and the honesty panel)."""
    st.header("What the shots teach")
    st.write("The same shots, three ways: with their own labels, with labels drawn at random from the task's "
             "labels, and with the labels left out (the inputs only). If the model read which label goes with "
             "which input, random labels would cost it accuracy; if shots only showed the form and the label set, "
             "they would not.")
    chart_rows = prompting.ways_compared(task.name, labels=True)
    if chart_rows:
        chat_way = experiments.load(prompting.result_name(task.name))
        items = chat_way["settings"]["items"] if chat_way else None  # where guessing lands on the stored items
        widgets.chart(charts.accuracy_bars(
            pd.DataFrame(chart_rows), "way", "accuracy", color="shots", chance=prompting.chance(task, items),
            title=f"{task.title or task.name}: zero-shot and k shots with gold, random or no labels (95% interval)"),
            "fs_labels_chart")
    else:
        st.caption(f"No stored run of {task.title or task.name} shows the shots with random labels; the label "
                   "tasks have one (pick one above), and the evaluation below can measure this task live.")
    st.write(prompting.what_shots_teach_said(rows))
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, column_config={
            c: st.column_config.NumberColumn(format="percent")
            for c in ("chance", "zero-shot", "gold labels", "random labels", "no labels")})
        st.caption("Stored runs on the held-out items, greedy; each k-shot condition over the same shot samplings. "
                   "Commands in data/experiments.json (`--labels`); `make results` makes them again.")


def references_few_shot(taught: list[dict]) -> None:
    """The papers' figures beside ours; `taught`: prompting.what_shots_teach's rows."""
    ref = figures.references()["few_shot"]
    with st.expander("What the papers report — and what we measured", expanded=True):
        table = pd.DataFrame([[r["benchmark"], *r["values"]] for r in ref["rows"]],
                             columns=["benchmark", *ref["columns"]])
        st.markdown(f"**{ref['model']}** — {ref['citation']}")
        st.dataframe(table, hide_index=True)
        st.write(f"Those gains come from {ref['model']}, a model not instruction-tuned, continuing a pattern of "
                 "examples; label tasks were scored by which option it found likeliest. Ours are SmolLM2-135M and "
                 "Gemma 3 270M, hundreds of times smaller.")
        effects = prompting.shot_effects(label_tasks())
        st.write(prompting.shot_effects_said(effects))
        if effects:
            st.dataframe(pd.DataFrame(effects), hide_index=True,
                         column_config={c: st.column_config.NumberColumn(format="percent")
                                        for c in ("zero-shot", "k-shot")})
            seeds = sorted({experiments.get(prompting.result_name(e["task"], e["method"], e["model"])).settings["seeds"]
                            for e in effects})
            st.caption(f"Stored runs on the held-out items, greedy, k-shot averaged over {' or '.join(map(str, seeds))} "
                       "shot samplings; the interval is over items and samplings (lib/effects.py). `make results` "
                       "makes them again (commands in data/experiments.json).")
        st.write("**What the labels in the shots do.** " + prompting.what_shots_teach_said(taught))
        for ref in figures.references()["shot_labels"]:
            st.markdown(f"**{ref['title']}** ({ref['models']}), {ref['citation']}: {ref['finding']}")


def references_cot() -> None:
    with st.expander("What the papers report — and why our tiny model differs", expanded=True):
        st.dataframe(pd.DataFrame([{"model": r["model"], "benchmark": r["benchmark"], "without": r["before"],
                                    "with chain-of-thought": r["after"], "source": r["citation"]}
                                   for r in figures.references()["chain_of_thought"]]), hide_index=True)
        st.write("In the chain-of-thought paper the gains appeared in models of about a hundred billion parameters "
                 "that were not instruction-tuned, prompted with worked examples; smaller ones wrote chains that read "
                 "well but did not add up. Ours are far smaller. What our stored runs show, by the rule every "
                 "comparison here uses: " + figures.render("{{effect:prompting/arithmetic#zero-shot>4-shot CoT}}"))


def icl_cost() -> None:
    """What shots and passages cost per query against an adapter trained once, from the stored measurement."""
    st.subheader("What shots cost")
    name = "icl_cost"
    stored = experiments.load(name)
    if not stored:
        st.info(f"Nothing is stored yet: `{experiments.get(name).command}` measures it.")
        return
    table = stored["summary"]
    adapter = next(r for r in table if r["kind"] == cost.ADAPTER_KIND)
    crossings = stored["crossing"]
    most = max((r for r in table if r["kind"] == cost.SHOTS), key=lambda r: r["prompt_tokens"])
    st.write(f"Shots are read again with every query. On this machine ({stored['model']}, PyTorch, one query at a "
             f"time) {most['condition']} is {most['prompt_tokens']:,.0f} prompt tokens and {most['seconds']:.2f} s a "
             f"query; the adapter (merged into the weights) answers from a bare prompt in {adapter['seconds']:.2f} s, after "
             f"{stored['training_seconds']:,.0f} s of training ({stored['training_steps']} steps, as recorded when it "
             "was trained). "
             + (f"Against {most['condition']} that training is paid back after about "
                f"{crossings[most['condition']]:,.0f} queries." if most["condition"] in crossings else
                f"At this size {most['condition']} is no dearer per query than the adapter, so training never pays "
                "back in time."))
    widgets.chart(charts.icl_cost(table, cost.ADAPTER, stored["training_seconds"], crossings), "fs_cost_chart")
    st.dataframe(table, hide_index=True, column_config={
        "condition": "way", "prompt_tokens": st.column_config.NumberColumn("prompt tokens", format="%.0f"),
        "answer_tokens": st.column_config.NumberColumn("answer tokens", format="%.0f"),
        "seconds": st.column_config.NumberColumn("seconds a query", format="%.2f")})
    st.caption(f"Crosses (×) mark where the adapter becomes cheaper than a way with shots. The RAG rows answer the "
               "sample documents' questions, not ViGGO sentences: their cost is shown, not set against the adapter. "
               "Measured by "
               f"`{experiments.get(name).command}` ({stored['settings']['items']} queries a way, ViGGO sentences for "
               "shots and the adapter, the sample documents' questions for RAG). Seconds vary from run to run and "
               "machine to machine; the token counts do not. What it leaves out: sending many queries in one batch, "
               "caching the shots' shared prefix, and the people-time of writing shots or training data.")
