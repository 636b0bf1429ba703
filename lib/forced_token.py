"""A wrong token stays: force another digit where the model's answer starts a number it got right, and see whether
the rest of the answer ever finds its way back to the right figure.

    >>> row = forced_row(loaded, prompt, "12 items", max_new_tokens=48)
    >>> row["as_generated"], row["with_forced"], row["recovered"]

A model writes one token at a time and reads every token it wrote as part of its input; it has no way to take one
back. So an early mistake is not an accident the next tokens repair: it is a premise they build on. The experiment
tests that on the RAG questions whose answer is a number and which the model gets right with the passages in front
of it: at the token where its answer starts the number, the likeliest other digit is forced in, and the answer goes
on greedily. Numbers, because another digit there is wrong by construction (another word could be a harmless
rewording). "Recovered" means the right figure is still in the answer somewhere after all.
What it leaves out: sampling (every answer is greedy), and mistakes the model makes itself rather than ones forced.
"""

from __future__ import annotations

import re

from lib import effects, next_token, rag

NUMBER = re.compile(r"\d[\d,.]*\d|\d")
TOP_K = 20  # alternatives searched for another number


def fact_start(answer: str, fact: str) -> int | None:
    """Where an answer begins writing a fact's number (a character offset), as a whole number: not the 3 of "T3"
    or of "1.3". None when the fact has no number or the answer does not write it as the fact does."""
    number = NUMBER.search(fact)
    found = re.search(r"(?<![\w.])" + re.escape(number.group()) + r"(?![\d])", answer) if number else None
    return found.start() if found else None


def token_at(tokenizer, ids: list[int], offset: int) -> int:
    """The index of the token whose text covers character `offset` of decode(ids)."""
    for i in range(len(ids)):
        if len(tokenizer.decode(ids[: i + 1])) > offset:
            return i
    return len(ids) - 1


def forced_row(loaded, prompt: str, fact: str, max_new_tokens: int) -> dict:
    """The greedy answer, and the answer with the likeliest other digit forced where the greedy one starts the
    fact's number. `forced_at` is None when nothing was forced (no number, not stated, no other digit near the top)."""
    tokenizer, prompt_ids = loaded.tokenizer, next_token.encode(loaded, prompt)
    answer_ids = next_token.continue_from(loaded, prompt_ids, max_new_tokens)
    answer = tokenizer.decode(answer_ids)
    row = {"as_generated": answer.strip(), "numeric": NUMBER.search(fact) is not None,
           "states_fact": rag.contains_fact(answer, fact), "forced_at": None}
    start = fact_start(answer, fact) if row["states_fact"] else None
    if start is None:
        return row
    at = token_at(tokenizer, answer_ids, start)
    prefix = prompt_ids + answer_ids[:at]
    options = next_token.alternatives(loaded, prefix, k=TOP_K)
    chosen = next((o for o in options if o.id == answer_ids[at]), None)
    # The likeliest other number: not a variant of the same text (" 1" for "1"), and not a word, which could be a
    # harmless rewording ("the", a quote mark) rather than an error.
    forced = next((o for o in options if chosen and o.text.strip()[:1].isdigit() and o.text.strip() != chosen.text.strip()),
                  None)
    if forced is None:
        return row
    room = max_new_tokens - at - 1
    rest = next_token.continue_from(loaded, prefix + [forced.id], room) if room > 0 else []
    with_forced = tokenizer.decode(answer_ids[:at] + [forced.id] + rest)
    return row | {"forced_at": at, "chosen": chosen.text, "chosen_probability": round(chosen.probability, 4),
                  "forced": forced.text, "forced_probability": round(forced.probability, 4),
                  "with_forced": with_forced.strip(), "recovered": rag.contains_fact(with_forced, fact)}


def run(backend, index: rag.Index, questions: list[dict], k: int, max_new_tokens: int) -> dict:
    """Every question answered with its top-k passages in front, then forced where the answer states the fact."""
    rows = []
    for item in questions:
        prompt = backend.render_prompt(rag.augmented_messages(item["question"], rag.retrieve(index, item["question"], k)))
        rows.append({"input": item["question"], "answer": item["answer"]} |
                    forced_row(backend.loaded, prompt, item["answer"], max_new_tokens))
    return {"items": len(rows), "rows": rows} | summarize(rows)


def summarize(rows: list[dict]) -> dict:
    """How many questions ask for a number, how many answers wrote it, how many were forced, and the share of
    those that still state the right figure after the forced digit."""
    forced = [r for r in rows if r.get("forced_at") is not None]
    share = sum(r["recovered"] for r in forced) / len(forced) if forced else 0.0
    low, high = effects.share_interval(share, len(forced)) if forced else (0.0, 1.0)
    numeric = [r for r in rows if r["numeric"]]
    return {"numeric": len(numeric), "stated": sum(r["states_fact"] for r in numeric), "forced": len(forced),
            "recovered": share, "recovered_low": low, "recovered_high": high}
