"""The RAG page's stored comparison of prompt styles (which prompt gets the retrieved fact into the answer)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import charts, experiments, rag
from ui import widgets


def prompt_styles() -> None:
    sample, heldout = experiments.load("rag/styles-sample"), experiments.load("rag/styles-heldout")
    if sample is None:
        return
    st.header("Which prompt gets the fact into the answer?")
    st.write("Finding the right passage is half of RAG; the model still has to read it. The same questions, asked "
             "with 1, 2 or 4 passages, the closest one first or last (models read the ends of a long prompt best), "
             "and an instruction to answer or to quote the passage's words:")
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
                   "questions on documents written apart, used to choose nothing). The page's default of "
                   f"{rag.DEFAULT_K} passages is the sample questions' best.")
