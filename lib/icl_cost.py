"""What in-context learning costs per query, against a LoRA adapter's one-off training, measured on this machine.

    >>> run = measure(base, merged, instruction, task, (0, 1, 2, 4, 8), queries=8, max_new_tokens=80)
    >>> table = summarize(run["rows"], run["timings"])                          # per way: tokens and s per query
    >>> crossings(table, training_seconds)     # {way: queries after which the adapter is the cheaper way}

Shots (and retrieved passages) are paid again with every query: the prompt grows, and the model reads it each
time. An adapter is paid once, by training, and then answers from a bare prompt. Every way runs here on the same
engine (PyTorch, float32): the base model for the prompts, and for the adapter the same model with the adapter
merged into its weights (`merge_and_unload`), which is how one adapter is served at its base model's cost; so the
seconds compare like with like. Each query is timed alone, as a user would send it.
What it leaves out: batching many queries together (cheaper per query for every way), caching a shared prefix of
shots (which would cut the shots' cost), and the people-time of writing shots or training data.
"""

from __future__ import annotations

import statistics
import time

from lib import lora, prompting, rag
from lib.generation import GenerationSettings
from lib.tasks import Task

ADAPTER = "LoRA adapter, no shots"
SHOTS, PASSAGES, ADAPTER_KIND = "shots", "passages", "adapter"  # a row's kind: only shot ways are set against the adapter


def _timed(backend, messages: list[dict], settings: GenerationSettings) -> tuple[str, float]:
    started = time.perf_counter()
    answer = backend.answer_all([messages], settings)[0]
    return answer, time.perf_counter() - started


def _row(backend, way: str, kind: str, query: str, messages: list[dict],
         settings: GenerationSettings) -> tuple[dict, dict]:
    answer, seconds = _timed(backend, messages, settings)
    row = {"condition": way, "kind": kind, "input": query, "answer_tokens": backend.count_tokens(answer),
           "prompt_tokens": backend.count_tokens(backend.render_prompt(messages))}
    return row, {"condition": way, "input": query, "seconds": round(seconds, 3)}


def measure(base, tuned, instruction: str, task: Task, shot_counts: tuple[int, ...], queries: int,
            max_new_tokens: int, index: rag.Index | None = None, rag_questions: list[str] = (),
            passages: tuple[int, ...] = ()) -> dict:
    """Tokens and seconds of each query: the `base` backend with k shots, the `tuned` one (the adapter merged
    into the weights) with none and its own training `instruction`, as it was trained and is scored, and (given an
    index) the base with k retrieved passages. RAG answers other questions (the documents'), so it is shown
    beside the others, never set against the adapter."""
    settings = GenerationSettings(max_new_tokens=max_new_tokens)
    for backend in (base, tuned):  # one untimed query each: the first call also pays for warming up
        backend.answer_all([lora.messages_for("warm-up", instruction)], GenerationSettings(max_new_tokens=2))
    pairs = []
    for query in [item.input for item in task.test[:queries]]:
        for k in shot_counts:
            messages = prompting.build_messages(task, prompting.pick_shots(task, k, seed=0), query)
            pairs.append(_row(base, f"{k}-shot" if k else "zero-shot", SHOTS, query, messages, settings))
        pairs.append(_row(tuned, ADAPTER, ADAPTER_KIND, query, lora.messages_for(query, instruction), settings))
    for question in rag_questions[:queries] if index else []:
        for k in passages:
            messages = rag.augmented_messages(question, rag.retrieve(index, question, k))
            pairs.append(_row(base, f"RAG, {k} passage{'s' if k > 1 else ''}", PASSAGES, question, messages,
                              settings))
    return {"rows": [row for row, _ in pairs], "timings": [timing for _, timing in pairs]}


def summarize(rows: list[dict], timings: list[dict]) -> list[dict]:
    """Per way, in order of appearance: mean prompt and answer tokens and mean seconds per query."""
    table = []
    for way in dict.fromkeys(r["condition"] for r in rows):
        mine = [r for r in rows if r["condition"] == way]
        table.append({"condition": way, "kind": mine[0]["kind"], "queries": len(mine),
                      "prompt_tokens": statistics.mean(r["prompt_tokens"] for r in mine),
                      "answer_tokens": statistics.mean(r["answer_tokens"] for r in mine),
                      "seconds": statistics.mean(t["seconds"] for t in timings if t["condition"] == way)})
    return table


def crossover(seconds_per_query: float, adapter_seconds: float, training_seconds: float) -> float | None:
    """How many queries it takes before training once and answering with the adapter costs less than a way that
    pays `seconds_per_query`; None when that way is no dearer per query than the adapter (it never pays off)."""
    extra = seconds_per_query - adapter_seconds
    return training_seconds / extra if extra > 0 else None


def crossings(summary: list[dict], training_seconds: float) -> dict[str, float]:
    """For each shot way dearer per query than the adapter: the queries after which the adapter is the cheaper way."""
    adapter = next(r["seconds"] for r in summary if r["kind"] == ADAPTER_KIND)
    return {r["condition"]: q for r in summary if r["kind"] == SHOTS
            for q in [crossover(r["seconds"], adapter, training_seconds)] if q is not None}
