"""The RAG page's stored comparisons: which prompt gets the retrieved fact into the answer, and what a read-and-answer
adapter adds."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import charts, experiments, form_fact, rag
from ui import widgets


def reader() -> None:
    """The read-and-answer adapter against the base model on the same passages: fine-tune for the form of reading."""
    results = {name: experiments.load(experiment) for name, experiment in
               (("sample questions", "form_fact"), ("held-out set", "form_fact-heldout"))}
    if any(result is None for result in results.values()):
        return
    st.header("Fine-tune for reading: the read-and-answer adapter")
    table = form_fact.reader_compared(results)
    long = pd.DataFrame([{"answered by": r["answered by"], "question set": r["question set"], "fact in answer": r["fact"]}
                         for r in table])
    widgets.chart(charts.accuracy_bars(long, "answered by", "fact in answer", color="question set",
                                       title="Answers that hold the fact, same retrieved passages"), "rag_reader_chart")
    st.write(form_fact.reader_said(table))
    sample = results["sample questions"]
    st.caption(f"Stored runs, greedy, {sample['k']} passages retrieved, the base model on the "
               f"{sample['settings']['engine']} engine and the adapter on PyTorch: "
               f"`{experiments.get('form_fact').command}` and `{experiments.get('form_fact-heldout').command}` "
               "(the Summary page's four ways). The toggle above asks it live. It is off by default because adapters "
               "run one request at a time on the slower PyTorch engine, where a room of attendees would queue.")


def prompt_styles() -> None:
    sample, heldout = experiments.load("rag/styles-sample"), experiments.load("rag/styles-heldout")
    if sample is None:
        return
    st.header("Which prompt gets the fact into the answer?")
    st.write("Finding the right passage is half of RAG; the model still has to read it. The same questions, asked "
             "with more or fewer passages, the closest one first or last, and an instruction to answer or to quote "
             "the passage's words (the chart names each style). A study of long contexts found models read the "
             "start and the end of a prompt best (Liu et al. 2023); ours are a few short passages, where that "
             "need not hold, so here it is measured, not assumed:")
    table = rag.styles_compared(sample, heldout)
    long = pd.DataFrame([{"prompt style": r["prompt style"], "question set": name, "fact in answer": r[name]}
                         for r in table for name in ("sample questions", "held-out set") if r[name] is not None])
    widgets.chart(charts.accuracy_bars(long, "prompt style", "fact in answer", color="question set",
                                       title="Answers that hold the expected fact, by prompt style"), "rag_styles_chart")
    st.write(rag.styles_said(table))
    with st.expander("The same numbers as a table, and how they were made"):
        st.dataframe(pd.DataFrame(table), hide_index=True,
                     column_config={c: st.column_config.NumberColumn(format="percent")
                                    for c in ("sample questions", "held-out set", "hit-rate (sample)")})
        st.caption(f"Stored runs, greedy, {sample['settings']['max_new_tokens']} new tokens, "
                   f"{sample['settings']['engine']} engine, chunks of {sample['settings']['chunk_tokens']} tokens: "
                   f"`{experiments.get('rag/styles-sample').command}` ({sample['questions']} questions) and "
                   f"`{experiments.get('rag/styles-heldout').command}` ({heldout['questions'] if heldout else 0} "
                   "questions on documents written apart, used to choose nothing). The page's default is "
                   f"{rag.DEFAULT_K} passages.")
