"""Fine-tune for form, retrieve for fact: one question answered four ways and scored on both.

    >>> for way in WAYS: messages_for(way, question, hits)        # what each way sends the model
    >>> score("Answer: 89 euros\\nSource: [1]", "89 euros")        # {"fact": True, "form": True, ...}

The four ways: the base model; base + RAG (retrieved passages in the prompt);
base + the form adapter; the form adapter + RAG. Every way gets the same system
prompt (the RAG page's: answer from the passages, cite them); the ways without
RAG just have no passages. The *form* is the one the form adapter was trained
on (data/form/generate.py): exactly two lines, "Answer: <short phrase>" and
"Source: [n]" (or "none"). The *fact* check is the RAG page's: does the answer
contain the expected string.

CLI: `python -m lib.cli.form_fact train` (the bundled form adapter) and
`python -m lib.cli.form_fact eval [--limit N] [--engine E] [--save PATH] --json` (the sample questions, four ways).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lib import lora, lora_training, rag
from lib.models import PRETRAINED_BASE_NAME, REPO_ROOT

ADAPTER = lora.SERVED["form"]
TRAIN_FILE = REPO_ROOT / "data" / "form" / "train.jsonl"
FORM = re.compile(r"^Answer: (?P<answer>[^\n]{1,100})\nSource: (?:\[\d+\]|none)$")
MAX_ANSWER_WORDS = 12
K = 3  # passages retrieved; the adapter was trained on prompts with 2-4
ANSWER_TOKENS = 64


@dataclass(frozen=True)
class Way:
    name: str
    rag: bool
    adapter: str | None  # None = the base model


WAYS = (Way("Base", False, None), Way("Base + RAG", True, None), Way("Form adapter", False, "form"),
        Way("Form adapter + RAG", True, "form"))
# On the bundled pretrained Gemma 3 270M (twice SmolLM2's parameters, which reads passages better: see the adapter's
# model card); LoRA+ is off because at ratio 16 this model's loss blew up at the warm-up's peak.
TRAIN_CONFIG = lora_training.TrainConfig(steps=200, batch_size=4, examples=1200, sample_every=25, b_lr_ratio=1.0,
                                         instruction=rag.SYSTEM_PROMPT, base_model=PRETRAINED_BASE_NAME)


def user_message(question: str, hits: list[rag.Hit]) -> str:
    return f"Context:\n{rag.context_block(hits)}\n\nQuestion: {question}" if hits else f"Question: {question}"


def messages_for(way: Way, question: str, hits: list[rag.Hit]) -> list[dict[str, str]]:
    return lora.messages_for(user_message(question, hits if way.rag else []), rag.SYSTEM_PROMPT)


def score(output: str, fact: str) -> dict:
    """Fact: the expected string is in the answer. Form: exactly the two lines, with a short answer."""
    text = output.strip()
    match = FORM.match(text)
    form = bool(match) and len(match.group("answer").split()) <= MAX_ANSWER_WORDS
    return {"fact": rag.contains_fact(text, fact), "form": form}


def evaluate(index: rag.Index, questions: list[dict], base, adapted, progress=lambda _f: None) -> dict:
    """All questions, four ways, greedy: the ways without the adapter answered by the `base` backend, the others by
    the `adapted` one (backends.py)."""
    from lib.generation import GenerationSettings

    hits = [rag.retrieve(index, q["question"], K) for q in questions]
    rows = []
    for done, way in enumerate(WAYS, start=1):
        outputs = (adapted if way.adapter else base).answer_all(
            [messages_for(way, q["question"], h) for q, h in zip(questions, hits)],
            GenerationSettings(max_new_tokens=ANSWER_TOKENS))
        rows += [{"way": way.name, "question": q["question"], "fact_expected": q["answer"], "output": o, **score(o, q["answer"])}
                 for q, o in zip(questions, outputs)]
        progress(done / len(WAYS))
    return {"questions": len(questions), "k": K, "summary": summarize(rows), "rows": rows}


def summarize(rows: list[dict]) -> list[dict]:
    """Per way: the share of answers with the fact, and with the form."""
    out = []
    for way in WAYS:
        mine = [r for r in rows if r["way"] == way.name]
        out.append({"way": way.name, "fact": sum(r["fact"] for r in mine) / len(mine),
                    "form": sum(r["form"] for r in mine) / len(mine)})
    return out


def _effect_rows(result: dict, check: str) -> list[dict]:
    """A result's rows as lib.effects reads them: the way is the condition, the question the item, `check` the score."""
    return [{"condition": r["way"], "input": r["question"], "score": float(r[check])} for r in result["rows"]]


def chart_table(result: dict) -> list[dict]:
    """One bar a way and check (fact, form): the share with its 95 % interval over the questions (lib.effects)."""
    from lib import effects

    table = []
    for check in ("fact", "form"):
        rows = _effect_rows(result, check)
        for s in result["summary"]:
            low, high = effects.interval(rows, s["way"])
            table.append({"way": s["way"], "check": check, "share": s[check], "share_low": low, "share_high": high})
    return table


def said(result: dict) -> str:
    """The two-by-two read out from a result's numbers, each comparison judged by lib.effects' rule."""
    from lib import effects

    by = {row["way"]: row for row in result["summary"]}
    base, rag_, adapter, both = (by[w.name] for w in WAYS)
    fact_rows = _effect_rows(result, "fact")
    retrieval = effects.compare(fact_rows, WAYS[2].name, WAYS[3].name)
    reader = effects.compare(fact_rows, WAYS[1].name, WAYS[3].name)
    return (f"Read it as a two-by-two. Retrieval moves the **fact** bar ({base['fact']:.0%} → {rag_['fact']:.0%} "
            f"with the base model); with the adapter: {retrieval.said()} The adapter keeps the two-line **form** in "
            f"{adapter['form']:.0%} of its answers, the base model in {base['form']:.0%}; but the base model is never "
            "asked for that form, so its bar shows only that it does not guess it, and the adapter's that tuning made "
            f"the form reliable. With retrieval, adapter against chat model on the fact: {reader.said()} Two things "
            "differ between those two ways, the tuning and the model under it (the adapter sits on Gemma 3 270M, the "
            "chat model is SmolLM2-135M), and the stored runs do not separate them.")


def reader_compared(results: dict[str, dict]) -> list[dict]:
    """Base model vs read-and-answer adapter, both given the same retrieved passages, per question set
    ({set label: a stored four-ways result})."""
    labels = {WAYS[1].name: "base model", WAYS[3].name: "read-and-answer adapter"}
    return [{"answered by": labels[row["way"]], "question set": name, "fact": row["fact"], "form": row["form"]}
            for name, result in results.items() for row in result["summary"] if row["way"] in labels]


def reader_said(table: list[dict]) -> str:
    """What the read-and-answer adapter does to answers from retrieved passages, from the stored numbers."""
    by = {(r["answered by"], r["question set"]): r for r in table}
    sets = list(dict.fromkeys(r["question set"] for r in table))
    parts = [f"{by[('read-and-answer adapter', s)]['fact']:.0%} on the {s} (base model: {by[('base model', s)]['fact']:.0%})"
             for s in sets]
    forms = [by[("read-and-answer adapter", s)]["form"] for s in sets]
    text = (f"Given the same retrieved passages, the read-and-answer adapter puts the fact in {' and '.join(parts)}, "
            f"and keeps its two-line form in {min(forms):.0%} or more. It was trained on invented documents only, so "
            "what it learned is a way of reading, not facts. It sits on Gemma 3 270M, twice the base model's size, "
            "so part of the gain is the larger model: trained the same way on SmolLM2-135M it reads less well (its "
            "model card has both).")
    if min(by[("read-and-answer adapter", s)]["fact"] for s in sets) < 0.6:
        text += (" Its misses are mostly a value of the right kind from the wrong sentence (a price, but not the one "
                 "asked for); a few say \"I don't know\" although the passage holds the answer. A small model reads "
                 "only so well.")
    return text
