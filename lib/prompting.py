"""Few-shot and chain-of-thought prompts, the prompt X-ray, and their evaluation.

    >>> task = tasks.load("sentiment")
    >>> shots = pick_shots(task, k=4, seed=0)
    >>> messages = build_messages(task, shots, "What a lovely day.")
    >>> result = evaluate(task, [Condition("zero-shot", 0), Condition("4-shot", 4)], seeds=3, answer_all=...)

Shots go in as earlier chat turns (user asks, assistant answers), the way chat
models see examples. Chain-of-thought comes in three flavours: none (answer
directly), "zero" (append "Let's think step by step.") and "few" (shots show
worked rationales).

CLI: `python -m lib.prompting eval --task NAME_OR_FILE --shots K [--cot] [--seeds N] --json`.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass

from lib import experiments, scorers, tasks
from lib.tasks import Item, Task

STEP_BY_STEP = "Let's think step by step."
PART_COLOURS = {"template": "#e0e0e0", "instruction": "#fde2a6", "shot": "#cde7f7", "query": "#c9f0c9"}


@dataclass(frozen=True)
class Condition:
    name: str
    k: int
    cot: str = "none"  # "none" | "zero" | "few"


def pick_shots(task: Task, k: int, seed: int, order: list[int] | None = None) -> list[Item]:
    """k shots: hand-picked by index (`order`, in that order) or a seeded random sample of the pool."""
    if order is not None:
        return [task.examples[i] for i in order][:k] if k else []
    return random.Random(seed).sample(list(task.examples), min(k, len(task.examples)))


def build_messages(task: Task, shots: list[Item], query: str, cot: str = "none") -> list[dict[str, str]]:
    messages = [{"role": "system", "content": task.instruction}] if task.instruction else []
    for shot in shots:
        answer = shot.rationale if cot == "few" and shot.rationale else shot.output
        messages += [{"role": "user", "content": shot.input}, {"role": "assistant", "content": answer}]
    question = f"{query}\n{STEP_BY_STEP}" if cot == "zero" else query
    return messages + [{"role": "user", "content": question}]


def xray_parts(prompt: str, messages: list[dict[str, str]]) -> list[tuple[str, str]]:
    """The rendered prompt cut into (kind, text): template glue, instruction, shots, query — in order."""
    kinds = []
    for i, message in enumerate(messages):
        if message["role"] == "system":
            kinds.append("instruction")
        else:
            kinds.append("query" if i == len(messages) - 1 else "shot")
    parts, cursor = [], 0
    for kind, message in zip(kinds, messages):
        start = prompt.find(message["content"], cursor)
        if start < 0:
            continue
        if start > cursor:
            parts.append(("template", prompt[cursor:start]))
        parts.append((kind, message["content"]))
        cursor = start + len(message["content"])
    if cursor < len(prompt):
        parts.append(("template", prompt[cursor:]))
    return parts


def xray_html(parts: list[tuple[str, str]], token_counts: list[int]) -> str:
    """The prompt as escaped HTML, each part on its colour with its token count on hover."""
    spans = "".join(
        f'<span title="{kind}: {n} tokens" style="background:{PART_COLOURS[kind]}">{html.escape(text)}</span>'
        for (kind, text), n in zip(parts, token_counts)
    )
    return f'<pre style="white-space:pre-wrap;font-size:0.95em;line-height:1.5">{spans}</pre>'


def score(task: Task, output: str, gold: str) -> tuple[str, float]:
    return scorers.score(task.scorer, output, gold, list(task.labels))


def evaluate(task: Task, conditions: list[Condition], seeds: int,
             answer_all: Callable[[list[list[dict]]], list[str]], limit: int | None = None,
             progress: Callable[[float], None] = lambda _f: None) -> dict:
    """Accuracy per condition over the held-out split; shot samplings vary with the seed (zero-shot runs once)."""
    test = list(task.test)[:limit] if limit else list(task.test)
    runs = [(c, seed) for c in conditions for seed in (range(seeds) if c.k else [0])]
    rows = []
    for done, (condition, seed) in enumerate(runs):
        shots = pick_shots(task, condition.k, seed)
        conversations = [build_messages(task, shots, item.input, condition.cot) for item in test]
        for item, messages, output in zip(test, conversations, answer_all(conversations)):
            extracted, value = score(task, output, item.output)
            rows.append({"condition": condition.name, "seed": seed, "input": item.input, "expected": item.output,
                         "output": output, "extracted": extracted, "score": value,
                         "prompt_messages": json.dumps(messages, ensure_ascii=False)})
        progress((done + 1) / len(runs))
    return {"task": task.name, "items": len(test), "seeds": seeds, "summary": summarize(rows), "rows": rows}


def summarize(rows: list[dict]) -> list[dict]:
    """Mean accuracy per condition, with the spread (accuracy_std, _min, _max) over seeds."""
    return experiments.over_seeds(rows, "condition", {"accuracy": "score"})


def default_conditions(k: int, cot: bool) -> list[Condition]:
    conditions = [Condition("zero-shot", 0), Condition(f"{k}-shot", k)] if k else [Condition("zero-shot", 0)]
    if cot:
        conditions += [Condition("zero-shot CoT", 0, "zero"), Condition(f"{max(k, 1)}-shot CoT", max(k, 1), "few")]
    return conditions


def default_budget(cot: bool) -> int:
    """New tokens for an evaluation: room for a short answer, or for reasoning before it."""
    return 200 if cot else 48


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lib.prompting", description="Evaluate prompting techniques.")
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("eval", help="accuracy of zero-shot vs k-shot (and chain-of-thought) on a task")
    ev.add_argument("--task", required=True, help=f"built in ({', '.join(tasks.builtin_names())}) or a task file")
    ev.add_argument("--shots", type=int, default=4)
    ev.add_argument("--cot", action="store_true", help="add zero-shot and few-shot chain-of-thought")
    ev.add_argument("--seeds", type=int, default=3)
    ev.add_argument("--limit", type=int, default=None, help="only the first N test items")
    ev.add_argument("--max-new-tokens", type=int, default=None, help="default: 48, or 200 with --cot")
    experiments.add_cli_options(ev, "the bundled model on onnxruntime (4-bit, the app's default) or PyTorch (float32)")
    args = parser.parse_args(argv)

    from lib import backends, generation

    task = tasks.load(args.task)
    chosen = backends.bundled(args.engine)
    settings = generation.GenerationSettings(max_new_tokens=args.max_new_tokens or default_budget(args.cot))
    result = evaluate(task, default_conditions(args.shots, args.cot), args.seeds,
                      lambda conversations: chosen.answer_all(conversations, settings), args.limit)
    result |= {"model": chosen.name, "engine": chosen.engine, "max_new_tokens": settings.max_new_tokens,
               "decoding": "greedy", "command": "python -m lib.prompting " + " ".join(argv or []),
               "settings": {"engine": args.engine, "max_new_tokens": settings.max_new_tokens,
                            "items": result["items"], "seeds": args.seeds, "shots": args.shots}}
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    summary = {k: v for k, v in result.items() if k != "rows"}
    print(json.dumps(summary) if args.json else json.dumps(summary, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
