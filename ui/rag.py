"""The RAG page's stored comparisons: which prompt gets the retrieved fact into the answer, and what a read-and-answer
adapter adds."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import charts, experiments, form_fact, rag
from lib import whole_document as paste
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


def whole_document() -> None:
    """Retrieval against pasting the source document, or every document, into the prompt: facts, tokens, seconds."""
    stored = experiments.load("rag/whole-document")
    if stored is None:
        return
    st.header("Retrieve, or paste it all in?")
    table = stored["summary"]
    by_way = {r["condition"]: r for r in table}
    rag_way, everything = by_way[paste.passages_name(stored["settings"]["k"])], by_way[paste.EVERYTHING]
    st.write(f"Instead of retrieving passages, the whole document could go into the prompt. The held-out questions "
             f"({stored['items']}), answered by {stored['model']} with the same instruction, three ways:")
    widgets.chart(charts.accuracy_bars(pd.DataFrame(table), "condition", "fact_in_answer",
                                       title="Answers that hold the expected fact"), "rag_whole_chart")
    for said in stored["comparisons"]:
        st.write(said)
    st.write(f"What each costs: {everything['condition']} is {everything['prompt_tokens']:,.0f} prompt tokens a "
             f"question against {rag_way['prompt_tokens']:,.0f} for {rag_way['condition']} "
             f"({everything['prompt_tokens'] / rag_way['prompt_tokens']:.1f}×), and {everything['seconds']:.2f} s "
             f"against {rag_way['seconds']:.2f} s on this machine. "
             + (f"{everything['truncated']} of the questions' prompts were cut to the {stored['context_window']:,}-token "
                "window." if everything["truncated"] else
                f"Every prompt fit the model's {stored['context_window']:,}-token window; a bigger library would not, "
                "and retrieval would be the only way left."))
    st.dataframe(pd.DataFrame(table)[["condition", "fact_in_answer", "fact_in_answer_low", "fact_in_answer_high",
                                      "prompt_tokens", "seconds", "truncated"]], hide_index=True,
                 column_config={c: st.column_config.NumberColumn(format="percent")
                                for c in ("fact_in_answer", "fact_in_answer_low", "fact_in_answer_high")})
    st.caption(f"Stored run, greedy, {stored['settings']['engine']} engine, each question timed alone: "
               f"`{experiments.get('rag/whole-document').command}`. Seconds vary with the machine; tokens do not.")
