"""LoRA on the bundled model: the data, the arithmetic, a plain PEFT training loop, and evaluation.

    >>> config = TrainConfig(rank=8, alpha=16, targets=("q_proj", "v_proj"), steps=40)
    >>> adapter_dir = train(config, load_pairs(TRAIN_FILE), Path("out"), on_step=print)
    >>> evaluate(model, tokenizer, "viggo", load_pairs(TEST_FILE))    # model: a PeftModel with "viggo" loaded

Training runs on its own copy of the model (never the one serving answers) and
reports through `on_step(step, loss, sample)`; a `threading.Event` cancels it.
The loss counts only the answer tokens, not the prompt.

CLI (same code as the pages):
    python -m lib.lora train --steps 300 --out adapters/viggo
    python -m lib.lora eval --adapter adapters/viggo --data data/viggo/test.jsonl --json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lib import fields
from lib import meaning
from lib.models import REPO_ROOT

TRAIN_FILE = REPO_ROOT / "data" / "viggo" / "train.jsonl"
TEST_FILE = REPO_ROOT / "data" / "viggo" / "test.jsonl"
ADAPTER_DIR = REPO_ROOT / "adapters"
BUNDLED = {"viggo": ADAPTER_DIR / "viggo"}
RESULTS_DIR = REPO_ROOT / "data" / "results" / "lora"
INSTRUCTION = "Convert the sentence to a meaning representation."
ALL_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
MAX_PAIRS = 5000


class DataError(ValueError):
    """A training file that can't be used; the message says what to fix."""


@dataclass(frozen=True)
class TrainConfig:
    rank: int = 8
    alpha: int = 16
    # Defaults chosen by measurement (bench/lora.py, see the closing note): all four attention projections,
    # LoRA+ (B learning 16x faster than A) and warm-up + linear decay reach >= 50 % held-out exact match in
    # ~36 steps, where plain AdamW at one rate needed ~40 and q/v alone more still.
    targets: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")
    learning_rate: float = 2e-3
    b_lr_ratio: float = 16.0  # LoRA+: B's learning rate over A's (Hayou et al. 2024, arXiv 2402.12354)
    steps: int = 36
    schedule: str = "warmup-decay"  # or "constant"
    batch_size: int = 8
    examples: int = 1200  # how many training pairs to draw from
    sample_every: int = 10
    seed: int = 0
    instruction: str = INSTRUCTION  # the system prompt every training pair is shown with


@dataclass
class TrainLog:
    losses: list[float] = field(default_factory=list)
    samples: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0
    cancelled: bool = False


def messages_for(sentence: str, instruction: str = INSTRUCTION) -> list[dict[str, str]]:
    return [{"role": "system", "content": instruction}, {"role": "user", "content": sentence}]


def parse_pairs(text: str) -> list[dict[str, str]]:
    """JSONL of {"input", "target"}; raises DataError naming the first bad line."""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            pair = {key: fields.text(row[key], f"line {number}: \"{key}\"", DataError).strip() for key in ("input", "target")}
        except (json.JSONDecodeError, KeyError, TypeError, RecursionError) as error:
            raise DataError(f"line {number}: expected a JSON object with \"input\" and \"target\" ({error}).") from error
        if not pair["input"] or not pair["target"]:
            raise DataError(f"line {number}: \"input\" and \"target\" must not be empty.")
        if len(pair["input"]) + len(pair["target"]) > 2000:
            raise DataError(f"line {number}: the pair is longer than 2,000 characters.")
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


def _batch(tokenizer, pairs: list[dict[str, str]], instruction: str = INSTRUCTION):
    """Prompt + answer token ids, with the prompt masked out of the loss (-100), right-padded."""
    import torch

    rows = []
    for pair in pairs:
        prompt = tokenizer.apply_chat_template(messages_for(pair["input"], instruction), tokenize=False,
                                               add_generation_prompt=True)
        p_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        a_ids = tokenizer(pair["target"] + "<|im_end|>", add_special_tokens=False)["input_ids"]
        rows.append((p_ids + a_ids, [-100] * len(p_ids) + a_ids))
    width = max(len(ids) for ids, _ in rows)
    pad = tokenizer.pad_token_id
    input_ids = torch.tensor([ids + [pad] * (width - len(ids)) for ids, _ in rows])
    labels = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in rows])
    mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in rows])
    return {"input_ids": input_ids, "attention_mask": mask, "labels": labels}


def new_training_model(config: TrainConfig):
    """A fresh copy of the bundled model with LoRA layers, separate from the one serving answers."""
    import torch
    from peft import LoraConfig, get_peft_model

    from lib import models

    torch.manual_seed(config.seed)
    base, tokenizer = models.load_causal_lm(str(models.converted_dir()))
    lora = LoraConfig(r=config.rank, lora_alpha=config.alpha, target_modules=list(config.targets),
                      lora_dropout=0.0, bias="none", task_type="CAUSAL_LM")
    return get_peft_model(base, lora), tokenizer


def greedy(model, tokenizer, sentence: str, max_new_tokens: int = 48, instruction: str = INSTRUCTION) -> str:
    return generate_messages(model, tokenizer, [messages_for(sentence, instruction)], ACTIVE, max_new_tokens)[0]


def learning_rate_factor(step: int, config: "TrainConfig") -> float:
    """A short linear warm-up, then a linear decay to zero, so the last steps settle instead of bouncing."""
    if config.schedule == "constant":
        return 1.0
    warmup = max(1, config.steps // 10)
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (config.steps - step) / max(1, config.steps - warmup))


def answer_loss(model, batch):
    """The causal-LM loss on the answer tokens, computing the vocabulary projection only where it counts.

    Same value as `model(**batch).loss`; the prompt positions (label -100) skip the 576 × 49,152 lm_head
    and its softmax, which is a large share of a step for a 135M model with a big vocabulary.
    """
    import torch.nn.functional as F

    inner = model.get_base_model()
    hidden = inner.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    targets = batch["labels"][:, 1:]
    keep = targets != -100
    logits = inner.lm_head(hidden[:, :-1][keep]).float()
    return F.cross_entropy(logits, targets[keep])


def parameter_groups(model, config: "TrainConfig") -> list[dict]:
    """LoRA+ (Hayou et al. 2024): B learns `b_lr_ratio` times faster than A, which reaches a given loss in fewer steps."""
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    return [{"params": [p for n, p in trainable if "lora_B" not in n], "lr": config.learning_rate},
            {"params": [p for n, p in trainable if "lora_B" in n], "lr": config.learning_rate * config.b_lr_ratio}]


def train(config: TrainConfig, pairs: list[dict[str, str]], out_dir: Path,
          on_step: Callable[[int, float, str | None], None] = lambda *_: None,
          cancel: threading.Event | None = None, model_and_tokenizer=None) -> TrainLog:
    """Train a LoRA adapter with AdamW; save it (PEFT safetensors + settings) to `out_dir`."""
    import torch

    cancel = cancel or threading.Event()
    model, tokenizer = model_and_tokenizer or new_training_model(config)
    model.train()
    optimizer = torch.optim.AdamW(parameter_groups(model, config), lr=config.learning_rate)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: learning_rate_factor(i, config))
    rng = random.Random(config.seed)
    pool = pairs[: config.examples]
    log, started = TrainLog(), time.perf_counter()
    probe = pool[0]["input"]
    for step in range(1, config.steps + 1):
        if cancel.is_set():
            log.cancelled = True
            break
        batch = _batch(tokenizer, rng.sample(pool, min(config.batch_size, len(pool))), config.instruction)
        loss = answer_loss(model, batch)
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        log.losses.append(loss.item())
        sample = None
        if step % config.sample_every == 0 or step == config.steps:
            model.eval()
            sample = greedy(model, tokenizer, probe, instruction=config.instruction)
            log.samples.append((step, sample))
            model.train()
        on_step(step, log.losses[-1], sample)
    log.seconds = time.perf_counter() - started
    model.eval()
    model.save_pretrained(out_dir)
    (Path(out_dir) / "lab_settings.json").write_text(json.dumps({**asdict(config), "seconds": log.seconds,
                                                                 "final_loss": log.losses[-1] if log.losses else None}),
                                                     encoding="utf-8")
    return log


def serving_model(adapters: dict[str, Path]):
    """A second copy of the base model holding every adapter by name; pick one per call with `adapter_names`."""
    from peft import PeftModel

    from lib import models

    base, tokenizer = models.load_causal_lm(str(models.converted_dir()))
    items = list(adapters.items())
    model = PeftModel.from_pretrained(base, str(items[0][1]), adapter_name=items[0][0])
    for name, path in items[1:]:
        model.load_adapter(str(path), adapter_name=name)
    model.eval()
    return model, tokenizer


BASE = "__base__"  # peft's name for "no adapter" in adapter_names
ACTIVE = "__active__"  # no choice per call: the model as it is (a merged model, one in training)


def generate(model, tokenizer, sentences: list[str], adapter: str | None, max_new_tokens: int = 64,
             batch_size: int = 8) -> list[str]:
    """Greedy meaning representations with one adapter (or the base model when None), chosen per call."""
    return generate_messages(model, tokenizer, [messages_for(s) for s in sentences], adapter, max_new_tokens,
                             batch_size)


def generate_messages(model, tokenizer, conversations: list[list[dict]], adapter: str | None,
                      max_new_tokens: int = 64, batch_size: int = 8) -> list[str]:
    """Greedy answers to whole conversations with one adapter (None = base, ACTIVE = the model as it is),
    chosen per call with `adapter_names`."""
    import threading

    import torch

    from lib.generation import between_tokens

    choice = lambda rows: {} if adapter == ACTIVE else {"adapter_names": [adapter or BASE] * rows}  # noqa: E731
    outputs = []
    for start in range(0, len(conversations), batch_size):
        chunk = conversations[start : start + batch_size]
        prompts = [tokenizer.apply_chat_template(m, tokenize=False, add_generation_prompt=True) for m in chunk]
        enc = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.inference_mode():
            out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                                 stopping_criteria=between_tokens(threading.Event()),
                                 pad_token_id=tokenizer.pad_token_id, **choice(len(chunk)))
        outputs += [t.strip() for t in tokenizer.batch_decode(out[:, enc["input_ids"].shape[1]:],
                                                               skip_special_tokens=True)]
    return outputs


def score_rows(pairs: list[dict[str, str]], outputs: list[str]) -> dict:
    rows = [{"input": p["input"], "expected": p["target"], "output": o,
             "exact": meaning.exact_match(o, p["target"]), "slot_f1": meaning.slot_f1(o, p["target"])}
            for p, o in zip(pairs, outputs)]
    return {"exact_match": sum(r["exact"] for r in rows) / len(rows),
            "slot_f1": sum(r["slot_f1"] for r in rows) / len(rows), "rows": rows}


def evaluate_with(generate_fn: Callable[[list[str], str | None], list[str]], adapter: str,
                  pairs: list[dict[str, str]]) -> dict:
    """Exact match (slot order ignored) and slot F1, base model vs adapter, on the same pairs."""
    sentences = [p["input"] for p in pairs]
    return {"items": len(pairs), "adapter": adapter,
            "base": score_rows(pairs, generate_fn(sentences, None)),
            "lora": score_rows(pairs, generate_fn(sentences, adapter))}


def evaluate(model, tokenizer, adapter: str, pairs: list[dict[str, str]]) -> dict:
    return evaluate_with(lambda sentences, name: generate(model, tokenizer, sentences, name), adapter, pairs)


def precomputed(adapter: str) -> dict | None:
    path = RESULTS_DIR / f"{adapter}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def delta_weight(adapter_dir: Path, module: str = "model.layers.0.self_attn.q_proj"):
    """(W, B·A scaled, rank) for one projection: the base weight and the adapter's low-rank update to it."""
    import torch
    from safetensors import safe_open

    from lib.models import converted_dir

    settings = json.loads((Path(adapter_dir) / "adapter_config.json").read_text(encoding="utf-8"))
    with safe_open(str(Path(adapter_dir) / "adapter_model.safetensors"), "pt") as f:
        keys = list(f.keys())
        a = f.get_tensor(next(k for k in keys if f"{module}.lora_A" in k)).float()
        b = f.get_tensor(next(k for k in keys if f"{module}.lora_B" in k)).float()
    with safe_open(str(converted_dir() / "model.safetensors"), "pt") as f:
        w = f.get_tensor(f"{module}.weight").float()
    scale = settings["lora_alpha"] / settings["r"]
    return w, (b @ a) * scale, settings["r"]


def merge_check(adapter_dir: Path, pairs: list[dict[str, str]]) -> dict:
    """Adapter outputs vs the same adapter merged into W (`merge_and_unload`), on a fresh copy of the model."""
    import torch

    model, tokenizer = serving_model({"check": Path(adapter_dir)})
    sentences = [p["input"] for p in pairs]
    enc = tokenizer(tokenizer.apply_chat_template(messages_for(sentences[0]), tokenize=False, add_generation_prompt=True),
                    return_tensors="pt", add_special_tokens=False)
    with torch.inference_mode():
        before_logits = model(**enc).logits
    before = generate(model, tokenizer, sentences, "check")
    merged = model.merge_and_unload()
    with torch.inference_mode():
        after_logits = merged(**enc).logits
    after = [greedy(merged, tokenizer, sentence, 64) for sentence in sentences]
    return {"rows": [{"input": s, "adapter": b, "merged": a} for s, b, a in zip(sentences, before, after)],
            "same_text": before == after, "max_logit_diff": float((before_logits - after_logits).abs().max())}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lib.lora", description="Train and evaluate LoRA adapters.")
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help="train an adapter on the ViGGO-style data (or --data FILE.jsonl)")
    tr.add_argument("--data", type=Path, default=TRAIN_FILE)
    tr.add_argument("--out", type=Path, default=BUNDLED["viggo"])
    for name, value in asdict(TrainConfig()).items():
        if name != "targets":
            tr.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    tr.add_argument("--targets", default=",".join(TrainConfig().targets))
    ev = sub.add_parser("eval", help="exact match and slot F1 for base and adapter")
    ev.add_argument("--adapter", default="viggo", help="a bundled adapter name or an adapter folder")
    ev.add_argument("--data", type=Path, default=TEST_FILE)
    ev.add_argument("--limit", type=int, default=None)
    ev.add_argument("--save", type=Path, default=None, help="also write the full result (rows included) here")
    ev.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "train":
        fields = {k: getattr(args, k) for k in asdict(TrainConfig()) if k != "targets"}
        config = TrainConfig(**fields, targets=tuple(args.targets.split(",")))
        log = train(config, load_pairs(args.data), args.out,
                    on_step=lambda s, loss, sample: print(f"step {s} loss {loss:.3f}" + (f" | {sample}" if sample else ""),
                                                          file=sys.stderr))
        print(json.dumps({"out": str(args.out), "seconds": round(log.seconds, 1), "final_loss": log.losses[-1]}))
        return
    path = BUNDLED.get(args.adapter, Path(args.adapter))
    model, tokenizer = serving_model({"adapter": path})
    pairs = load_pairs(args.data)[: args.limit]
    result = evaluate(model, tokenizer, "adapter", pairs)
    result["adapter"] = str(args.adapter)
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(result, indent=1), encoding="utf-8")
    summary = {"items": result["items"], "adapter": result["adapter"],
               "base": {k: v for k, v in result["base"].items() if k != "rows"},
               "lora": {k: v for k, v in result["lora"].items() if k != "rows"}}
    print(json.dumps(summary) if args.json else json.dumps(summary, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
