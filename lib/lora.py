"""LoRA on the bundled model: the data, the arithmetic, answering with adapters, and evaluation.

    >>> pairs = load_pairs(TEST_FILE)
    >>> trainable_parameters(module_shapes(model), rank=8, targets=["q_proj", "v_proj"])
    >>> model, tokenizer = serving_model({"viggo": BUNDLED["viggo"]})
    >>> evaluate(model, tokenizer, "viggo", pairs)          # exact match and slot F1, base vs adapter

Training is in `lora_training.py`, looking inside an adapter (ΔW, merging) in `lora_inspect.py`.

CLI (same code as the pages):
    python -m lib.lora train --steps 360 --examples 3000 --out adapters/viggo   # see the adapter's model card
    python -m lib.lora eval --adapter viggo --set people --json                 # or --set generated, --set dev
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from lib import experiments, fields, figures, meaning
from lib.models import REPO_ROOT

TRAIN_FILE = REPO_ROOT / "data" / "viggo" / "train.jsonl"
TEST_FILE = REPO_ROOT / "data" / "viggo" / "test.jsonl"
# Two held-out sets: the generator's own (other games, the same templates) and sentences about real games written
# by hand in ViGGO's style, apart from the generator, used to train or tune nothing.
TEST_SETS = {"generated": TEST_FILE, "people": REPO_ROOT / "data" / "viggo" / "people.jsonl"}
SET_LABELS = {"generated": "generated (the lab's templates, other games)", "people": "written by people (real games)"}
# A third hand-written set, other real games, for tuning the generator's templates against; the people set stays
# untouched by that. The CLI scores it (--set dev); the pages show the two held-out sets.
DEV_FILE = REPO_ROOT / "data" / "viggo" / "dev.jsonl"
EVAL_SETS = TEST_SETS | {"dev": DEV_FILE}
ADAPTER_DIR = REPO_ROOT / "adapters"
# The ViGGO adapters the LoRA pages offer: one on the bundled chat model (the data's first version), and one on the
# bundled pretrained-only Gemma 3 270M (twice the parameters) and the broadened data, which carries furthest to
# people's sentences (see each adapter's model card).
BUNDLED = {"viggo": ADAPTER_DIR / "viggo", "viggo-gemma": ADAPTER_DIR / "viggo-gemma"}
# Every adapter the app serves: the ViGGO ones and the read-and-answer adapter (the RAG and Summary pages').
SERVED = BUNDLED | {"form": ADAPTER_DIR / "form"}
INSTRUCTION = "Convert the sentence to a meaning representation."
ALL_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
MAX_PAIRS = 5000
MAX_PAIR_CHARS = 3000  # room for a RAG prompt with four 128-token passages (the read-and-answer adapter's data)


class DataError(ValueError):
    """A training file that can't be used; the message says what to fix."""


def messages_for(sentence: str, instruction: str = INSTRUCTION) -> list[dict[str, str]]:
    return [{"role": "system", "content": instruction}, {"role": "user", "content": sentence}]


def parse_pairs(text: str) -> list[dict[str, str]]:
    """JSONL of {"input", "target"}; raises DataError naming the first bad line."""
    pairs = []
    for number, row in fields.jsonl_rows(text, ("input", "target"), (), DataError):
        pair = {key: value.strip() for key, value in row.items()}
        if not pair["input"] or not pair["target"]:
            raise DataError(f"line {number}: \"input\" and \"target\" must not be empty.")
        if len(pair["input"]) + len(pair["target"]) > MAX_PAIR_CHARS:
            raise DataError(f"line {number}: the pair is longer than {MAX_PAIR_CHARS:,} characters.")
        pairs.append(pair)
    if len(pairs) < 8:
        raise DataError(f"Found {len(pairs)} pairs; training needs at least 8.")
    if len(pairs) > MAX_PAIRS:
        raise DataError(f"Found {len(pairs):,} pairs; the limit here is {MAX_PAIRS:,}.")
    return pairs


def load_pairs(path: Path) -> list[dict[str, str]]:
    return parse_pairs(Path(path).read_text(encoding="utf-8"))


def module_shapes(model) -> dict[str, tuple[int, int, int]]:
    """{module name: (in_features, out_features, how many)} for each LoRA-able projection in the model."""
    shapes: dict[str, list] = {}
    for name, module in model.named_modules():
        leaf = name.rsplit(".", 1)[-1]
        if leaf in ALL_TARGETS:
            entry = shapes.setdefault(leaf, [module.in_features, module.out_features, 0])
            entry[2] += 1
    return {k: tuple(v) for k, v in shapes.items()}


def trainable_parameters(shapes: dict[str, tuple[int, int, int]], rank: int, targets) -> dict[str, int]:
    """LoRA adds A (r × in) and B (out × r) to each targeted matrix: r · (in + out) per matrix."""
    return {t: rank * (shapes[t][0] + shapes[t][1]) * shapes[t][2] for t in targets}


def greedy(model, tokenizer, sentence: str, max_new_tokens: int = 48, instruction: str = INSTRUCTION) -> str:
    return generate_messages(model, tokenizer, [messages_for(sentence, instruction)], ACTIVE, max_new_tokens)[0]


def serving_model(adapters: dict[str, Path], base_model: str = ""):
    """A second copy of the base model (the bundled one unless `base_model` names a folder) holding every adapter
    by name; pick one per call with `adapter_names`."""
    from peft import PeftModel

    from lib import models

    base, tokenizer = models.load_causal_lm(models.model_folder(base_model))
    items = list(adapters.items())
    model = PeftModel.from_pretrained(base, str(items[0][1]), adapter_name=items[0][0])
    for name, path in items[1:]:
        model.load_adapter(str(path), adapter_name=name)
    model.eval()
    return model, tokenizer


def run_settings(adapter: Path) -> dict:
    """The settings an adapter's training run recorded (lab_settings.json); {} when it recorded none."""
    settings = Path(adapter) / "lab_settings.json"
    return json.loads(settings.read_text(encoding="utf-8")) if settings.is_file() else {}


def model_card(adapter: Path) -> str:
    """The adapter's model card (README.md) without its YAML front matter; "" when it has none (the lab's own
    trained adapters)."""
    card = Path(adapter) / "README.md"
    text = card.read_text(encoding="utf-8") if card.is_file() else ""
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[-1]
    return figures.render(text.strip())  # its measured figures are placeholders bound to stored results


def base_model_of(adapter: Path) -> str:
    """The model an adapter was trained on, as its run recorded it, in serving_model's terms: "" for the bundled
    chat model (also when the run recorded none)."""
    from lib.models import BUNDLED_CHAT_NAME

    name = run_settings(adapter).get("base_model", "")
    return "" if name == BUNDLED_CHAT_NAME else name


def served_on(base_model: str) -> dict[str, Path]:
    """The served adapters trained on `base_model` ("" = the bundled chat model): what one LoraServer holds."""
    return {name: path for name, path in SERVED.items() if base_model_of(path) == base_model}


EVAL_TOKENS = 80  # the longest meaning representation in either held-out set is 73 tokens
BASE = "__base__"  # peft's name for "no adapter" in adapter_names
ACTIVE = "__active__"  # no choice per call: the model as it is (a merged model, one in training)


def generate(model, tokenizer, sentences: list[str], adapter: str | None, max_new_tokens: int = EVAL_TOKENS,
             batch_size: int = 8) -> list[str]:
    """Greedy meaning representations with one adapter (or the base model when None), chosen per call.

    A meaning representation is one line. A pretrained model reading plain text goes on past its answer's line
    with a made-up next "Input:", so there the answer ends at the line's end (as on the few-shot page)."""
    stop = None if tokenizer.chat_template else "\n"
    answers = generate_messages(model, tokenizer, [messages_for(s) for s in sentences], adapter, max_new_tokens,
                                batch_size, stop=stop)
    return [answer.split("\n")[0].strip() for answer in answers] if stop else answers


def generate_messages(model, tokenizer, conversations: list[list[dict]], adapter: str | None,
                      max_new_tokens: int = 64, batch_size: int = 8, stop: str | None = None) -> list[str]:
    """Greedy answers to whole conversations with one adapter (None = base, ACTIVE = the model as it is),
    chosen per call with `adapter_names`: the chat's own batched generation, one adapter for every row. A base
    model without a chat template reads the conversation as plain text."""
    from lib.generation import GenerationSettings, generate_batch
    from lib.models import LoadedModel

    loaded = LoadedModel("base + LoRA", model, tokenizer, 0.0, False)
    per_row = {} if adapter == ACTIVE else {"adapter_names": adapter or BASE}
    answers = generate_batch(loaded, conversations, GenerationSettings(max_new_tokens=max_new_tokens),
                             batch_size=batch_size, per_row=per_row, stop=stop)
    return [answer.strip() for answer in answers]


def score_rows(pairs: list[dict[str, str]], outputs: list[str]) -> dict:
    rows = [{"input": p["input"], "expected": p["target"], "output": o,
             "exact": meaning.exact_match(o, p["target"]), "slot_f1": meaning.slot_f1(o, p["target"])}
            for p, o in zip(pairs, outputs)]
    return summarize(rows) | {"rows": rows}


def summarize(rows: list[dict]) -> dict:
    return {"exact_match": sum(r["exact"] for r in rows) / len(rows), "slot_f1": sum(r["slot_f1"] for r in rows) / len(rows)}


def evaluate_with(generate_fn: Callable[[list[str], str | None], list[str]], adapter: str,
                  pairs: list[dict[str, str]]) -> dict:
    """Exact match (slot order ignored) and slot F1, base model vs adapter, on the same pairs."""
    sentences = [p["input"] for p in pairs]
    return {"items": len(pairs), "adapter": adapter,
            "base": score_rows(pairs, generate_fn(sentences, None)),
            "lora": score_rows(pairs, generate_fn(sentences, adapter))}


def evaluate(model, tokenizer, adapter: str, pairs: list[dict[str, str]]) -> dict:
    return evaluate_with(lambda sentences, name: generate(model, tokenizer, sentences, name), adapter, pairs)


def main(argv: list[str] | None = None) -> None:
    from lib import lora_training  # it builds on this module
    parser = argparse.ArgumentParser(prog="python -m lib.lora", description="Train and evaluate LoRA adapters.")
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help="train an adapter on the ViGGO-style data (or --data FILE.jsonl)")
    tr.add_argument("--data", type=Path, default=TRAIN_FILE)
    tr.add_argument("--out", type=Path, default=BUNDLED["viggo"])
    for name, value in asdict(lora_training.TrainConfig()).items():
        if name != "targets":
            tr.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    tr.add_argument("--targets", default=",".join(lora_training.TrainConfig().targets))
    ev = sub.add_parser("eval", help="exact match and slot F1 for base and adapter")
    ev.add_argument("--adapter", default="viggo", help="a bundled adapter name or an adapter folder")
    ev.add_argument("--set", choices=list(EVAL_SETS), default="generated", help="which held-out sentences")
    ev.add_argument("--limit", type=int, default=None, help="only the first N pairs")
    experiments.add_cli_options(ev)  # no engine choice: adapters run on PyTorch
    args = parser.parse_args(argv)
    if args.command == "train":
        fields = {k: getattr(args, k) for k in asdict(lora_training.TrainConfig()) if k != "targets"}
        config = lora_training.TrainConfig(**fields, targets=tuple(args.targets.split(",")))
        log = lora_training.train(config, load_pairs(args.data), args.out, lora_training.print_progress)
        print(json.dumps({"out": str(args.out), "seconds": round(log.seconds, 1), "final_loss": log.losses[-1]}))
        return
    path = BUNDLED.get(args.adapter, Path(args.adapter))
    model, tokenizer = serving_model({"adapter": path}, base_model_of(path))
    pairs = load_pairs(EVAL_SETS[args.set])[: args.limit]
    result = evaluate(model, tokenizer, "adapter", pairs)
    result |= {"adapter": str(args.adapter), "engine": "float32, PyTorch + LoRA", "decoding": "greedy",
               "command": "python -m lib.lora " + " ".join(argv or []),
               "settings": {"engine": "reference", "max_new_tokens": EVAL_TOKENS, "items": len(pairs), "set": args.set}}
    experiments.report(result, args, {"items": result["items"], "adapter": result["adapter"],
                                      "base": {k: v for k, v in result["base"].items() if k != "rows"},
                                      "lora": {k: v for k, v in result["lora"].items() if k != "rows"}})


if __name__ == "__main__":
    main(sys.argv[1:])
