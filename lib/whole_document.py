"""Retrieve, or paste it all in? The top-k passages against the question's whole source document and against every
document of the set, in the same prompt: fact in the answer, prompt tokens and seconds per question.

    >>> run = compare(backend, index, docs, questions, k=2, settings=GenerationSettings(max_new_tokens=48))
    >>> summarize(run["rows"], run["timings"])     # per way: fact in answer (95 % interval), tokens, seconds

Every way goes through `rag.augmented_messages`, so only what is in the context differs: a whole document or the
whole set is given as numbered passages, one per document. "Every document" is cut to the model's context window
when it does not fit (from the last document on; each row says whether it was). Each question is timed alone.
What it leaves out: documents larger than a window (where pasting is not an option at all), and a cache of the
pasted text's prefix that a server could keep between questions.
"""

from __future__ import annotations

import time

from langchain_core.documents import Document

from lib import experiments, rag
from lib.generation import GenerationSettings

SOURCE, EVERYTHING = "the whole source document", "every document"


def passages_name(k: int) -> str:
    return f"top-{k} passages (RAG)"


def _as_hits(docs: list[Document]) -> list[rag.Hit]:
    return [rag.Hit(rank, doc, 1.0) for rank, doc in enumerate(docs, start=1)]


def fitted(backend, question: str, docs: list[Document], reserve: int) -> tuple[list[rag.Hit], bool]:
    """The documents as passages, the last ones dropped until the prompt and `reserve` new tokens fit the window."""
    kept = list(docs)
    while kept:
        hits = _as_hits(kept)
        if backend.count_tokens(backend.render_prompt(rag.augmented_messages(question, hits))) + reserve \
                <= backend.context_window:
            return hits, len(kept) < len(docs)
        kept.pop()
    raise ValueError("Not even one document fits the context window.")


def compare(backend, index: rag.Index, docs: list[Document], questions: list[dict], k: int,
            settings: GenerationSettings) -> dict:
    """Each question answered three ways; rows (deterministic: greedy) and timings (this machine, this run)."""
    rows, timings = [], []
    by_name = {doc.metadata["source"]: doc for doc in docs}
    backend.answer_all([rag.plain_messages("warm-up")], GenerationSettings(max_new_tokens=2))  # untimed first call
    for item in questions:
        ways = {passages_name(k): (rag.retrieve(index, item["question"], k), False),
                SOURCE: (_as_hits([by_name[item["source"]]]), False),
                EVERYTHING: fitted(backend, item["question"], docs, settings.max_new_tokens)}
        for way, (hits, truncated) in ways.items():
            messages = rag.augmented_messages(item["question"], hits)
            started = time.perf_counter()
            answer = backend.answer_all([messages], settings)[0]
            seconds = time.perf_counter() - started
            rows.append({"condition": way, "input": item["question"], "answer": item["answer"],
                         "output": answer.strip(), "score": float(rag.contains_fact(answer, item["answer"])),
                         "prompt_tokens": backend.count_tokens(backend.render_prompt(messages)),
                         "truncated": truncated})
            timings.append({"condition": way, "input": item["question"], "seconds": round(seconds, 3)})
    return {"rows": rows, "timings": timings}


def summarize(rows: list[dict], timings: list[dict]) -> list[dict]:
    """Per way: fact in answer with its 95 % interval, mean prompt tokens, mean seconds, questions cut to fit."""
    table = experiments.over_seeds(rows, "condition", {"fact_in_answer": "score"})
    for entry in table:
        mine = [r for r in rows if r["condition"] == entry["condition"]]
        seconds = [t["seconds"] for t in timings if t["condition"] == entry["condition"]]
        entry |= {"prompt_tokens": sum(r["prompt_tokens"] for r in mine) / len(mine),
                  "seconds": sum(seconds) / len(seconds) if seconds else None,
                  "truncated": sum(r["truncated"] for r in mine)}
    return table
