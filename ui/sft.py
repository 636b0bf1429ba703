"""The SFT page's one model before and after: the stored judgement, the held-out answers, both asked live, and a
short supervised fine-tune of your own (lib.sft)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from lib import charts, experiments, lora, lora_serving, runtime, sft
from lib.generation import GenerationSettings
from lib.textsafe import escape_markdown
from ui import jobs, widgets

NAME = "sft"  # the stored result and the bundled adapter
LIVE_STEPS = 12  # a live run's default: enough for the loss to fall and the answers to change, about two minutes


def _server():
    return runtime.server_for(NAME)


def _session_adapters() -> lora_serving.SessionAdapters:
    """This session's own SFT adapters, on the Gemma server (the chat model's session adapters live on another)."""
    if "sft_session" not in st.session_state:
        st.session_state.sft_session = lora_serving.SessionAdapters(_server())
    return st.session_state.sft_session


def stored_judgement() -> None:
    result = experiments.load(NAME)
    if not result:
        st.info(f"Nothing is stored yet: `{experiments.get(NAME).command}` makes it.")
        return
    table = pd.DataFrame(result["summary"])
    long = table.melt(id_vars="model", value_vars=[*sft.CRITERIA, "all three"], var_name="criterion",
                      value_name="share")
    widgets.chart(charts.accuracy_bars(long, "criterion", "share", color="model",
                                       title=f"{result['items']} held-out requests: share of answers passing"),
                  "sft_chart")
    st.write(f"All three criteria at once: {result['comparison']['said']}")
    st.caption(f"Stored run, not live: {result['base_model']}, greedy, up to {result['settings']['max_new_tokens']} "
               f"new tokens, the same prompt for both (the instruction “{result['instruction']}”, then the request "
               f"as Input/Output text). Made with `{experiments.get(NAME).command}`. The rubric: "
               + "; ".join(f"**{c}**" for c in sft.CRITERIA) + " — defined in lib/sft.py.")
    rows = result["rows"]
    requests = list(dict.fromkeys(r["input"] for r in rows))
    picked = st.selectbox("A held-out request (never in the training set)", requests, key="sft_heldout")
    for column, model in zip(st.columns(2), (sft.BEFORE, sft.AFTER)):
        row = next(r for r in rows if r["input"] == picked and r["model"] == model)
        with column.container(border=True):
            st.markdown(f"**{model}**")
            st.text(row["output"] or "(nothing)")
            st.caption(" · ".join(f"{c}: {'yes' if row[c] else 'no'}" for c in sft.CRITERIA)
                       + f" · {row['answer_tokens']} tokens")


def ask_both() -> None:
    request = st.text_input("Or ask both your own request", "Write an essay about Alexander Hamilton.",
                            max_chars=500, key="sft_own")
    if not (st.button("Ask before and after", key="sft_ask") and request.strip()):
        return
    server = _server()
    settings = GenerationSettings(max_new_tokens=sft.MAX_NEW_TOKENS)
    for column, (title, backend) in zip(st.columns(2), [(sft.BEFORE, server.backend(None, to_the_end=True)),
                                                        (sft.AFTER, server.backend(NAME))]):
        with column.container(border=True):
            st.markdown(f"**{title}**")
            runtime.stream_answer(sft.messages(request.strip()), backend=backend, settings=settings, source=title)


def live_run() -> None:
    st.subheader("Run a short fine-tune yourself")
    st.write(f"The same recipe on the same {len(lora.load_pairs(sft.TRAIN_FILE))} pairs, for as many steps as you "
             "choose; then ask your adapter one of the held-out requests. A step takes several seconds on two cores.")
    steps = st.slider("Steps", 4, 60, LIVE_STEPS, 4, key="sf_steps")

    def make_job(queue, **options):
        config = dataclasses.replace(sft.TRAINING, steps=steps)
        return lora_serving.TrainingJob(config, lora.load_pairs(sft.TRAIN_FILE), _session_adapters().new_folder(),
                                        queue, **options)

    def draw(job) -> None:
        st.progress(len(job.losses) / job.config.steps,
                    text=f"{job.state}: step {len(job.losses)} of {job.config.steps}")
        if job.losses:
            widgets.chart(charts.loss_curve(job.losses), "sf_curve")

    def register(job) -> None:
        st.session_state.sft_mine = _session_adapters().register(f"my SFT ({job.config.steps} steps)", job.out_dir)

    jobs.start_button("sf", make_job)
    jobs.progress_panel("sf", "Press Start: the loss curve shows the run.", draw, register)
    mine = st.session_state.get("sft_mine")
    if mine:
        request = st.selectbox("Ask your adapter", [r.input for r in sft.load_requests()], key="sft_mine_request")
        if st.button("Ask your adapter", key="sft_mine_ask"):
            with st.container(border=True):
                runtime.stream_answer(sft.messages(request), backend=_server().backend(mine),
                                      settings=GenerationSettings(max_new_tokens=sft.MAX_NEW_TOKENS),
                                      source="your SFT adapter")


def one_model() -> None:
    """The whole section."""
    stored_judgement()
    ask_both()
    live_run()
    st.caption(escape_markdown("The adapter is LoRA (rank 8 on the attention projections), not a full fine-tune: "
                               "the base weights stay as they were. Its model card: adapters/sft/README.md."))
