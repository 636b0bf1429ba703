"""The talk's conclusion, measured: fine-tune for form, retrieve for fact — one question answered four ways."""

import pandas as pd
import streamlit as st

from lib import charts, form_fact, rag, runtime
from lib.generation import GenerationSettings
from ui import guide, stored, widgets

st.title("Fine-tune for form, retrieve for fact")
st.write("Two tools, two jobs. A LoRA adapter changes *how* the model answers — here a read-and-answer adapter, "
         "trained on invented documents to answer from the given passages in two lines: `Answer: …` and "
         "`Source: [n]`. Retrieval changes *what it knows* — it puts the right passage in front of it. Ask one "
         "question four ways and check each answer for the fact and for the form.")
st.caption("The two base ways ask the bundled chat model, SmolLM2-135M-Instruct. The adapter is trained on the "
           "lab's other model, the pretrained-only Gemma 3 270M, which reads passages better: the same training on "
           "SmolLM2 put the fact in fewer answers (its model card, adapters/form/README.md, has both).")

questions = rag.load_questions(rag.SAMPLE_QUESTIONS)
mode = st.radio("Question", ["from the sample documents", "my own"], horizontal=True, key="sum_mode")
if mode == "my own":
    question = st.text_input("Your question about the sample documents", max_chars=500, key="sum_question",
                             value="When is the Marrowfield festival held?")
    fact = st.text_input("The fact the answer should contain (optional)", max_chars=200, key="sum_fact")
else:
    picked = st.selectbox("Sample question", range(len(questions)), key="sum_pick",
                          format_func=lambda i: f"{questions[i]['question']}  (from {questions[i]['source']})")
    question, fact = questions[picked]["question"], questions[picked]["answer"]
    st.caption(f"Expected fact: {fact}")

# Material icons come with Streamlit's own font; emoji marks showed as empty boxes where no emoji font is installed.
YES, NO = ":material/check_circle: yes", ":material/cancel: no"
greedy = GenerationSettings(max_new_tokens=form_fact.ANSWER_TOKENS)
st.caption(f"Each way answers greedily, up to {greedy.max_new_tokens} new tokens (the settings of the stored "
           "results below), whatever the sidebar says.")
if st.button("Answer four ways", type="primary", key="sum_go"):
    if not question.strip():
        st.warning("Type a question first.")
        st.stop()
    adapted, base, index = runtime.adapter_backend("form"), runtime.bundled_backend(), runtime.sample_index()
    hits = runtime.run_queued(rag.retrieve, index, question, form_fact.K)
    for column, way in zip(st.columns(4), form_fact.WAYS):
        with column.container(border=True):
            st.markdown(f"**{way.name}**")
            # The ways without an adapter run on the sidebar's engine; adapters run on PyTorch.
            result = runtime.stream_answer(form_fact.messages_for(way, question, hits),
                                           backend=adapted if way.adapter else base, settings=greedy, source=way.name)
            if result:
                marks = form_fact.score(result[0], fact)
                if not fact.strip():  # no expected fact given: only the form can be checked
                    del marks["fact"]
                st.markdown(" · ".join(f"{what} {YES if ok else NO}" for what, ok in marks.items()))
    with st.expander(f"The {len(hits)} retrieved passages (the RAG ways see these)"):
        st.text(rag.context_block(hits))
    with st.expander("The exact prompt of each way"):
        for way in form_fact.WAYS:  # the adapter's base reads plain text, the chat model its chat template
            st.markdown(f"**{way.name}**")
            st.code((adapted if way.adapter else base).render_prompt(form_fact.messages_for(way, question, hits)),
                    language=None, wrap_lines=True)

st.header("Over all the questions")
doc_set = st.radio("Questions", list(rag.DOC_SETS), format_func=rag.DOC_SET_LABELS.get, horizontal=True,
                   key="sum_set", help="The held-out documents and questions were written apart from everything the "
                                       "adapter and the prompt were tuned on.")
yours = {"engine": runtime.settings()["engine"], "max_new_tokens": form_fact.ANSWER_TOKENS,
         "items": len(rag.load_questions(rag.DOC_SETS[doc_set] / "questions.jsonl")), "set": doc_set}
result = stored.stored_result("form_fact" if doc_set == "sample" else f"form_fact-{doc_set}", yours,
                              form_fact.summarize, live="run the command with `--engine` set to the sidebar's engine")
if result is None:
    st.stop()
widgets.chart(charts.accuracy_bars(form_fact.chart_table(result), "way", "share", color="check",
                                   title=f"{result['questions']} questions, {result['k']} passages retrieved (95% "
                                         "interval over the questions)"), "sum_chart")
st.write(form_fact.said(result))
with st.expander("Every answer"):
    st.dataframe(pd.DataFrame(result["rows"]), hide_index=True)

guide.panel(__file__)
