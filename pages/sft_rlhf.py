"""Option 2, the big-lab way: supervised fine-tuning (SFT) and learning from human preferences (RLHF)."""

import numpy as np
import pandas as pd
import streamlit as st

from lib import backends, content, generation, models, rag, reward, runtime
from lib.generation import GenerationSettings
from lib.textsafe import escape_markdown
from ui import guide, sft as sft_ui

DATA = content.sft_rlhf()

st.title("SFT and RLHF: how a text predictor becomes an assistant")
st.write("Pretraining teaches a model to continue text. Supervised fine-tuning (SFT) then shows it thousands of "
         "instruction → good answer pairs, so it answers instead of rambling on. RLHF goes further: people pick "
         "the better of two answers, a reward model learns their taste, and the model is pushed towards it.")

# ---- 1. SFT: one model before and after --------------------------------------------------------------
st.header("1 · One model before and after a supervised fine-tune")
st.write("Pretrained-only Gemma 3 270M, then the same model after a short SFT run on a few dozen instruction → "
         "answer pairs written for the lab. The tuning is a LoRA adapter, not a full fine-tune. Both are judged on "
         "requests the tuning never saw: does the answer stay on the request's topic, take the form it asks for, "
         "and stop instead of writing on?")
sft_ui.one_model()

# ---- 2. SFT: two models ------------------------------------------------------------------------------
st.header("2 · A pretrained model beside an instruction-tuned one")
st.caption("Two different models, not one model before and after: the lab has no instruction-tuned Gemma 3 270M "
           "to put beside its pretrained one, so this shows what instruction tuning looks like, not what it did to "
           "one model.")
request = st.selectbox("Request", list(DATA.sft_prompts), key="sft_prompt", accept_new_options=True)
chat = runtime.bundled_backend()
try:
    base = runtime.pretrained_backend(backends.CONTINUE)
    base_title = "Pretrained only — Gemma 3 270M (never instruction-tuned)"
except models.ModelNotInstalled:
    base = backends.LocalBackend(runtime.bundled_model(), style=backends.CONTINUE)
    base_title = "SmolLM2 without its chat template (stand-in)"
    st.warning("The Gemma base model package is not installed, so the 'before' column feeds the bundled model the "
               "bare text, without the chat format it was tuned on. Run `make run` to install Gemma.")
settings = GenerationSettings(max_new_tokens=96)  # greedy: the same request always gets the same answers
st.caption(f"Both answer greedily, up to {settings.max_new_tokens} new tokens, whatever the sidebar says: the "
           "same request always gets the same pair.")
asked = st.button("Ask both", type="primary", key="sft_go") and request and request.strip()
shown = st.session_state.get("sft_answers")  # kept, so the answers stay while the rest of the page is used
if asked or (shown and shown["request"] == request):
    messages = [{"role": "user", "content": (request if asked else shown["request"]).strip()[:2000]}]
    left, right = st.columns(2)
    answers = {}
    for column, (who, title, answering, note) in zip((left, right), [
            ("base", base_title, base, "It reads only your text and continues it:"),
            ("tuned", "Instruction-tuned — SmolLM2-135M-Instruct (SFT, then DPO)", chat,
             "It reads your text inside the chat format it was tuned on:")]):
        with column.container(border=True):
            st.markdown(f"**{title}**")
            if asked:
                result = runtime.stream_answer(messages, backend=answering, settings=settings, source=title)
                answers[who] = result[0] if result else None
            elif shown[who] is not None:
                st.markdown(escape_markdown(shown[who]))
            st.caption(note)
        column.code(answering.render_prompt(messages), language=None, wrap_lines=True)
    if asked:
        st.session_state.sft_answers = {"request": request, **answers}

# ---- 3. RLHF in miniature ---------------------------------------------------------------------------
st.header("3 · RLHF in miniature: your choices train a reward model")
st.write("Two answers to the same request, sampled from the instruction-tuned model. Pick the better one; do it "
         f"a few times (at least {reward.MIN_PAIRS}). A small reward model learns what you prefer and then picks "
         "the best of several fresh answers.")
labelling: reward.Labelling = st.session_state.setdefault("rl_labelling", reward.Labelling(list(DATA.rlhf_prompts)))
seed = labelling.seed(int(runtime.settings()["seed"]))
if labelling.pair is None and st.button("Sample two answers", key="rl_sample"):
    with st.spinner("Sampling two answers…"):
        labelling.offer(runtime.run_in_turns(generation.sample_answers, chat,
                                             [{"role": "user", "content": labelling.prompt}], 2, seed))
if labelling.pair:
    st.markdown(f"**Request:** {labelling.pair['prompt']}")
    for i, column in enumerate(st.columns(2)):
        with column.container(border=True):
            st.text(labelling.pair["answers"][i])
            if st.button("This one is better", key=f"rl_pick_{i}"):
                labelling.choose(i)
                st.rerun()
    if st.button("Skip — neither is better", key="rl_skip"):
        labelling.choose(None)
        st.rerun()

prefs = labelling.prefs
if prefs:
    table = pd.DataFrame([p.__dict__ for p in prefs])
    st.dataframe(table, hide_index=True)
    st.download_button("Download your preference data (JSONL)", table.to_json(orient="records", lines=True,
                       force_ascii=False), "preferences.jsonl", "application/json", key="rl_download", on_click="ignore")
if len(prefs) < reward.MIN_PAIRS:
    st.info(f"{len(prefs)} of {reward.MIN_PAIRS} choices made — keep picking to train the reward model.")
else:
    vectors = runtime.embeddings()
    embed = lambda texts: rag.embed_texts(vectors, texts)  # noqa: E731
    model, held_out = labelling.model(embed, runtime.run_queued)
    c1, c2 = st.columns(2)
    c1.metric(f"Held-out accuracy over your {len(prefs)} choices (cross-validated)",
              "—" if np.isnan(held_out) else f"{held_out:.0%}",
              help="Share of your choices it predicts when that choice was left out of its training.")
    if not np.isnan(held_out):
        c1.caption(reward.held_out_said(held_out, len(prefs)))
    c2.metric("Length preference", "longer" if model.length_weight > 0 else "shorter",
              help="The sign of the reward's weight on answer length: what it thinks you like.")
    st.subheader("Best-of-n: the reward model picks")
    fresh = st.text_input("A new request", "What makes a good friend?", max_chars=500, key="rl_fresh")
    n = st.slider("Answers to sample", 2, 6, 4, key="rl_n")
    if st.button("Sample and rank", key="rl_rank") and fresh.strip():
        with st.spinner(f"Sampling {n} answers…"):
            answers = runtime.run_in_turns(generation.sample_answers, chat, [{"role": "user", "content": fresh}], n, seed)
        for rank, (score, answer) in enumerate(reward.best_of_n(model, embed, answers), start=1):
            with st.container(border=True):
                st.markdown(f"**#{rank}** · reward {score:+.2f}" + (" · picked" if rank == 1 else ""))
                st.text(answer)

st.subheader("What real RLHF does that this page does not")
st.markdown("\n".join(f"- {line}" for line in DATA.full_rlhf))
st.caption("Sources: Ouyang et al. 2022, InstructGPT (arXiv 2203.02155); Rafailov et al. 2023, DPO (arXiv 2305.18290); "
           "Allal et al. 2025, SmolLM2 (arXiv 2502.02737) for how the bundled model was tuned.")

guide.panel(__file__)
