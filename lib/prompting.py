"""Few-shot and chain-of-thought prompts, the prompt X-ray, and their evaluation.

    >>> task = tasks.load("sentiment")
    >>> shots = pick_shots(task, k=4, seed=0)
    >>> messages = build_messages(task, shots, "What a lovely day.")
    >>> result = evaluate(task, [Condition("zero-shot", 0), Condition("4-shot", 4)], seeds=3, answer_all=...)

Shots go in as earlier chat turns (user asks, assistant answers), the way chat
models see examples. Chain-of-thought comes in three flavours: none (answer
directly), "zero" (append "Let's think step by step.") and "few" (shots show
worked rationales).

Two ways to answer (METHODS) with two models (MODELS): the chat model writes an answer and we read the label in
it (the app's default); or, the way the few-shot papers measured, the model never writes and the likeliest of
the task's labels after the prompt is its answer (`option_scoring`). The pretrained-only base model gets the
same shots as plain text to continue (`generation.completion_prompt`: "Input: … Output: …").

CLI: `python -m lib.cli.prompting eval --task NAME_OR_FILE --shots K [--cot] [--seeds N]
[--method generate|options] [--model chat|base] --json`.
"""

from __future__ import annotations

import html
import json
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from lib import experiments, scorers, tasks
from lib.tasks import Item, Task

STEP_BY_STEP = "Let's think step by step."
METHODS = {"generate": "writes an answer, we read the label in it", "options": "likeliest label (option scoring)"}
MODELS = {"chat": "SmolLM2-135M-Instruct, chat model", "base": "Gemma 3 270M, pretrained only"}
PART_COLOURS = {"template": "#e0e0e0", "instruction": "#fde2a6", "shot": "#cde7f7", "query": "#c9f0c9"}
LABEL_KINDS = {"gold": "gold labels", "random": "random labels", "none": "no labels"}  # Condition.labels → words
LABELS_SETTING = "gold, random, none"  # how a run with `label_conditions` records it (settings_of)


@dataclass(frozen=True)
class Condition:
    name: str
    k: int
    cot: str = "none"  # "none" | "zero" | "few"
    # What the shots' answers say (Min et al. 2022's test of what shots teach): "gold" (their own), "random" (one
    # drawn at random from `candidates`: the task's labels, or its pool's distinct answers where it has no label
    # set) or "none" (the answer left empty: inputs only).
    labels: str = "gold"


def pick_shots(task: Task, k: int, seed: int, order: list[int] | None = None) -> list[Item]:
    """k shots: hand-picked by index (`order`, in that order) or a seeded random sample of the pool."""
    if order is not None:
        return [task.examples[i] for i in order][:k] if k else []
    return random.Random(seed).sample(list(task.examples), min(k, len(task.examples)))


def shown_answers(task: Task, shots: list[Item], labels: str, seed: int) -> list[str] | None:
    """The answers the shots show when they are not their own (Condition.labels); None for the gold ones."""
    if labels == "gold":
        return None
    if labels == "none":
        return [""] * len(shots)
    if labels != "random":
        raise ValueError(f"labels must be 'gold', 'random' or 'none', not {labels!r}")
    rng = random.Random(f"random labels {seed}")  # apart from the shots' own draw, so the same shots are relabelled
    return [rng.choice(candidates(task)) for _ in shots]


def build_messages(task: Task, shots: list[Item], query: str, cot: str = "none",
                   answers: list[str] | None = None) -> list[dict[str, str]]:
    """The conversation: instruction, each shot as a user turn and its answer (`answers` in place of the shots'
    own, when given), then the query."""
    messages = [{"role": "system", "content": task.instruction}] if task.instruction else []
    for i, shot in enumerate(shots):
        answer = shot.rationale if cot == "few" and shot.rationale else shot.output
        answer = answers[i] if answers is not None else answer
        messages += [{"role": "user", "content": shot.input}, {"role": "assistant", "content": answer}]
    question = f"{query}\n{STEP_BY_STEP}" if cot == "zero" else query
    return messages + [{"role": "user", "content": question}]


def candidates(task: Task) -> list[str]:
    """What option scoring chooses from: the task's labels, or else the distinct outputs of its shot pool."""
    return list(task.labels) or list(dict.fromkeys(item.output for item in task.examples))


def has_options(task: Task) -> bool:
    """Option scoring fits a label task, or one whose shots keep repeating a few outputs (not free-form answers)."""
    return bool(task.labels) or 2 <= len(candidates(task)) <= len(task.examples) // 2


def option_chances(logprobs: dict[str, float]) -> dict[str, float]:
    """Each label's share of the probability the model gives the labels together (they sum to 1)."""
    import math

    top = max(logprobs.values())
    weights = {label: math.exp(lp - top) for label, lp in logprobs.items()}
    return {label: w / sum(weights.values()) for label, w in weights.items()}


def chance(task: Task, limit: int | None = None) -> float | None:
    """Where guessing lands on the task's held-out items (lib.effects.chance_level): None for free-form answers."""
    from lib import effects

    test = list(task.test)[:limit] if limit else list(task.test)
    return effects.chance_level([item.output for item in test], task.labels)


def measure_name(task: Task) -> str:
    """What a task's score is: accuracy where an answer is right or wrong, else the scorer's partial credit."""
    return "accuracy" if task.scorer in ("label", "exact", "number", "mr") else f"score ({task.scorer}: partial credit)"


def result_name(task_name: str, method: str = "generate", model: str = "chat") -> str:
    """The stored experiment of a task evaluated one way: prompting/TASK for the chat way (the default)."""
    way = "" if (method, model) == ("generate", "chat") else f"-{method}-{model}"
    return f"prompting/{task_name}{way}"


def _stored_ways(task_name: str):
    """(method, model, stored result) for every way a task's run is stored (METHODS × MODELS)."""
    for method in METHODS:
        for model in MODELS:
            stored = experiments.load(result_name(task_name, method, model))
            if stored:
                yield method, model, stored


def ways_compared(task_name: str, labels: bool = False) -> list[dict]:
    """The stored runs of one task, every way it was measured (METHODS × MODELS): one row a way and condition,
    with the mean accuracy and its spread over seeds. Empty when fewer than two ways are stored. `labels`: the
    ways stored with `label_conditions` only, each with its k shots showing gold, random and no labels ("shots"
    names which); else zero-shot and k-shot with the shots' own labels."""
    kinds = LABEL_KINDS if labels else ("gold",)
    rows = []
    for method, model, stored in _stored_ways(task_name):
        if labels and not _with_labels(stored):
            continue
        names = {"zero-shot": "zero-shot"} | {shots_name(stored["settings"]["shots"], kind): kind for kind in kinds}
        for s in summarize([r for r in stored["rows"] if r["condition"] in names]):  # with the interval
            kind = names[s["condition"]]
            rows.append({"way": f"{model} model, {'writes' if method == 'generate' else 'option scoring'}",
                         "shots": "zero-shot" if kind == "zero-shot" else LABEL_KINDS[kind] if labels else "k-shot",
                         "condition": s["condition"], "accuracy": s["accuracy"], "accuracy_low": s["accuracy_low"],
                         "accuracy_high": s["accuracy_high"], "seeds": s["seeds"]})
    return rows if len({r["way"] for r in rows}) > 1 else []


def shot_effects(task_names: list[str]) -> list[dict]:
    """What shots did, from the stored runs: per task and way, zero-shot and k-shot accuracy, the difference in
    points with its 95 % interval and lib.effects' verdict, chance, and how one-sided the k-shot answers were (the
    commonest answer's share within a shot sampling, averaged over samplings: 1.0 is one answer for everything)."""
    from lib import effects

    rows_out = []
    for name in task_names:
        for method, model, stored in _stored_ways(name):
            rows = stored.get("rows", [])
            labels = stored.get("labels") or (tasks.load(name).labels if name in tasks.builtin_names() else ())
            gold = shots_name(stored["settings"]["shots"])
            if not any(r["condition"] == gold for r in rows):
                continue
            effect = effects.compare(rows, "zero-shot", gold, labels)
            one_sided = _one_sided(rows, gold)
            rows_out.append({"task": name, "model": model, "method": method, "shots": stored["settings"]["shots"],
                             "zero-shot": effect.first_score, "k-shot": effect.second_score,
                             "difference (points)": round(100 * effect.difference),
                             "95% interval (points)": f"{100 * effect.low:+.0f} to {100 * effect.high:+.0f}",
                             "chance": effect.chance, "verdict": effect.verdict,
                             "commonest answer's share, k-shot": round(one_sided, 2)})
    return rows_out


def _with_labels(stored: dict) -> bool:
    """Whether a stored run also showed its shots with random labels and with none (`--labels`)."""
    return stored["settings"].get("labels") == LABELS_SETTING


def _one_sided(rows: list[dict], condition: str) -> float:
    """How one-sided a condition's answers were: the commonest answer's share within a shot sampling, averaged over
    samplings (1.0 is one answer for everything)."""
    by_seed = [[r["extracted"] for r in rows if r["condition"] == condition and r["seed"] == seed]
               for seed in sorted({r["seed"] for r in rows if r["condition"] == condition})]
    return statistics.mean(max(map(answers.count, set(answers))) / len(answers) for answers in by_seed)


def what_shots_teach(task_names: list[str]) -> list[dict]:
    """Min et al. 2022's test on the stored runs made with `--labels`: per task and way, accuracy zero-shot and
    with the same k shots showing their gold labels, random labels or none; chance; how one-sided each k-shot
    condition's answers were; and two comparisons by lib.effects' rule: gold against random labels (does the
    model read which label goes with which input?) and random labels against zero-shot (do the shots' form and
    label set do anything on their own?)."""
    from lib import effects

    out = []
    for name in task_names:
        for method, model, stored in _stored_ways(name):
            if not _with_labels(stored):
                continue
            k, rows = stored["settings"]["shots"], stored.get("rows", [])
            names = {labels: shots_name(k, labels) for labels in LABEL_KINDS}
            labels = stored.get("labels") or ()
            mapping = effects.compare(rows, names["random"], names["gold"], labels)
            form = effects.compare(rows, "zero-shot", names["random"], labels)
            mean = {c: statistics.mean(r["score"] for r in rows if r["condition"] == c)
                    for c in ("zero-shot", *names.values())}
            out.append({"task": name, "model": model, "method": method, "shots": k, "items": mapping.items,
                        "chance": mapping.chance,
                        "zero-shot": mean["zero-shot"], "gold labels": mean[names["gold"]],
                        "random labels": mean[names["random"]], "no labels": mean[names["none"]],
                        "gold − random (points)": round(100 * mapping.difference),
                        "gold − random, 95% interval": f"{100 * mapping.low:+.0f} to {100 * mapping.high:+.0f}",
                        "gold vs random": mapping.verdict,
                        "gold − random, interval width (points)": round(100 * (mapping.high - mapping.low)),
                        "random − zero-shot (points)": round(100 * form.difference),
                        "random − zero-shot, 95% interval": f"{100 * form.low:+.0f} to {100 * form.high:+.0f}",
                        "random vs zero-shot": form.verdict, "random vs zero-shot: why": form.reason,
                        **{f"one answer's share, {kind}": round(_one_sided(rows, c), 2) for kind, c in
                           (("gold", names["gold"]), ("random", names["random"]), ("none", names["none"]))}})
    return out


def what_shots_teach_said(rows: list[dict]) -> str:
    """`what_shots_teach` in words: every count and verdict from the rows (lib.effects' rule), nothing typed in."""
    from lib import effects

    if not rows:
        return "No stored run compares gold with random labels yet: `make results` makes them."
    way = lambda e: f"{e['task']} ({MODELS[e['model']].split(',')[0]}, {'writing' if e['method'] == 'generate' else 'option scoring'})"  # noqa: E731

    def counted(column: str) -> tuple[str, list[dict], list[dict]]:
        rises = [e for e in rows if e[column] == effects.RISES]
        falls = [e for e in rows if e[column] == effects.FALLS]
        return (f"higher in {len(rises)}, lower in {len(falls)}, no measurable difference in "
                f"{len(rows) - len(rises) - len(falls)}"), rises, falls

    mapping, read, _ = counted("gold vs random")
    form, form_rises, form_falls = counted("random vs zero-shot")
    said = [f"Of {len(rows)} stored ways of answering the label tasks (task, model and method), shots with the "
            f"right labels against the same shots with random labels scored measurably {mapping}. Shots with "
            f"random labels against no shots at all: {form}."]
    widths = [e["gold − random, interval width (points)"] for e in rows]
    items = sorted({e["items"] for e in rows})
    said.append(f"With {' to '.join(map(str, (items[0], items[-1]) if len(items) > 1 else items))} questions a "
                f"task the intervals of the first comparison span {min(widths)} to {max(widths)} points, so a "
                "smaller difference would not show here.")
    if read:
        said.append("Where the right labels did better, the model read which label goes with which input: "
                    + "; ".join(way(e) for e in read) + ".")
    elif form_rises or form_falls:
        said.append("Nowhere did this model measurably use which label goes with which input; what the shots "
                    "changed, they changed through their form and the labels they show.")
    else:
        said.append("Nowhere did this model measurably use which label goes with which input, and shots with "
                    "random labels made no measurable difference by the rule either.")
    to_a_label = [e for e in rows if e["random vs zero-shot: why"] == effects.WITHIN_CHANCE]
    if to_a_label:
        said.append(f"In {len(to_a_label)} of the {len(rows)} ways ({'; '.join(way(e) for e in to_a_label)}) the random-label shots "
                    "did lift the score above zero-shot, with an interval clear of zero, but not clear of chance: "
                    "they taught the model to answer with one of the labels, not which one.")
    one_sided = [(e, kind) for e in rows for kind in ("gold", "random", "none")
                 if e[f"one answer's share, {kind}"] >= 0.8]
    if one_sided:
        said.append(f"In {len(one_sided)} of the {3 * len(rows)} k-shot runs the model gave one answer to nearly "
                    "every question (a share of 0.8 or more in the last columns): it repeated a label more than it "
                    "read the question.")
    return " ".join(said)


def shot_effects_said(effects_: list[dict]) -> str:
    """The measured effect of shots in words, from `shot_effects` rows: each verdict is lib.effects' rule."""
    from lib import effects

    if not effects_:
        return "No stored runs to say what shots do here; measure it above."
    way = lambda e: f"{e['task']} ({MODELS[e['model']].split(',')[0]}, {'writing' if e['method'] == 'generate' else 'option scoring'})"  # noqa: E731
    by = {v: [e for e in effects_ if e["verdict"] == v] for v in (effects.RISES, effects.FALLS, effects.NONE)}
    said = [f"Of {len(effects_)} stored comparisons of zero-shot with k-shot on the label tasks, shots scored "
            f"measurably higher in {len(by[effects.RISES])}, measurably lower in {len(by[effects.FALLS])}, and made "
            f"no measurable difference in {len(by[effects.NONE])} (a 95% interval over items and shot samplings "
            "that includes zero, or a better side within reach of chance)."]
    if by[effects.RISES]:
        said.append("Higher: " + "; ".join(way(e) for e in by[effects.RISES]) + ".")
    if by[effects.FALLS]:
        said.append("Lower: " + "; ".join(way(e) for e in by[effects.FALLS]) + ".")
    one_sided = [e for e in effects_ if e["commonest answer's share, k-shot"] >= 0.8]
    if one_sided:
        said.append(f"In {len(one_sided)} of them the model gave nearly the same answer to every question once it "
                    "had seen shots (last column): it copied a label in front of it more than it read the question. "
                    "Min et al. 2022 found that even large models take mostly the format and the label set from "
                    "shots, and little of which label goes with which input.")
    return " ".join(said)


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
             answer_all: Callable[[list[list[dict]]], list], limit: int | None = None,
             progress: Callable[[float], None] = lambda _f: None) -> dict:
    """Accuracy per condition over the held-out split; shot samplings vary with the seed (zero-shot runs once).

    `answer_all` maps conversations to answers: text, or (text, extra columns for the row)."""
    test = list(task.test)[:limit] if limit else list(task.test)
    runs = [(c, seed) for c in conditions for seed in (range(seeds) if c.k else [0])]
    rows = []
    for done, (condition, seed) in enumerate(runs):
        shots = pick_shots(task, condition.k, seed)
        answers = shown_answers(task, shots, condition.labels, seed)
        conversations = [build_messages(task, shots, item.input, condition.cot, answers) for item in test]
        for item, messages, answer in zip(test, conversations, answer_all(conversations)):
            output, extra = answer if isinstance(answer, tuple) else (answer, {})
            extracted, value = score(task, output, item.output)
            rows.append({"condition": condition.name, "seed": seed, "input": item.input, "expected": item.output,
                         "output": output, "extracted": extracted, "score": value,
                         "prompt_messages": json.dumps(messages, ensure_ascii=False)} | extra)
        progress((done + 1) / len(runs))
    return {"task": task.name, "labels": list(task.labels), "items": len(test), "seeds": seeds,
            "summary": summarize(rows), "comparisons": comparisons(rows, task.labels), "rows": rows}


def comparisons(rows: list[dict], labels=()) -> list[dict]:
    """Each condition against zero-shot (the first), by lib.effects' rule: difference, interval, chance, verdict."""
    from lib import effects

    conditions = list(dict.fromkeys(r["condition"] for r in rows))
    return [effects.compare(rows, conditions[0], c, labels).as_dict() for c in conditions[1:]]


def summarize(rows: list[dict]) -> list[dict]:
    """Mean accuracy per condition, with the spread (accuracy_std, _min, _max) over seeds."""
    return experiments.over_seeds(rows, "condition", {"accuracy": "score"})


def default_conditions(k: int, cot: bool) -> list[Condition]:
    conditions = [Condition("zero-shot", 0), Condition(shots_name(k), k)] if k else [Condition("zero-shot", 0)]
    if cot:
        conditions += [Condition("zero-shot CoT", 0, "zero"), Condition(f"{max(k, 1)}-shot CoT", max(k, 1), "few")]
    return conditions


def shots_name(k: int, labels: str = "gold") -> str:
    """A k-shot condition's name: "4-shot" with the shots' own labels, "4-shot, random labels", "4-shot, no labels"."""
    return f"{k}-shot" if labels == "gold" else f"{k}-shot, {LABEL_KINDS[labels]}"


def label_conditions(k: int) -> list[Condition]:
    """The same k shots showing random labels, and showing none (inputs only)."""
    return [Condition(shots_name(k, labels), k, labels=labels) for labels in ("random", "none")]


def default_budget(cot: bool) -> int:
    """New tokens for an evaluation: room for a short answer, or for reasoning before it."""
    return 200 if cot else 48


def answerer(backend, task: Task, method: str, max_new_tokens: int):
    """answer_all for `evaluate` on any backend (backends.py): the model writes greedily, or each answer is the
    likeliest candidate by option scoring, with every candidate's log-probability in the row."""
    from lib.generation import GenerationSettings

    if method == "generate":
        settings = GenerationSettings(max_new_tokens=max_new_tokens)
        return lambda conversations: backend.answer_all(conversations, settings)
    options = candidates(task)

    def answer_all(conversations):
        answers = []
        for scores in backend.score_options(conversations, options):
            best = options[max(range(len(options)), key=scores.__getitem__)]
            answers.append((best, {"option_logprobs": json.dumps(dict(zip(options, (round(s, 3) for s in scores))))}))
        return answers

    return answer_all


def settings_of(engine: str, method: str, model: str, max_new_tokens: int, items: int, seeds: int, shots: int,
                labels: bool = False) -> dict:
    """How an evaluation was made, as stored results and the pages name it. Option scoring and the base model run
    on PyTorch (they need the model's probabilities, or a model the fast engine does not build). `labels`: the
    k shots were also shown with random labels and with none (`label_conditions`); said only where it was asked
    for, so a run without it still matches a stored run with it (its gold conditions are the same rows)."""
    engine = engine if method == "generate" and model == "chat" else "reference"
    return {"engine": engine, "method": method, "model": model,
            "max_new_tokens": max_new_tokens if method == "generate" else None,
            "items": items, "seeds": seeds, "shots": shots} | ({"labels": LABELS_SETTING} if labels else {})
