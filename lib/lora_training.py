"""Training a LoRA adapter: a plain PEFT loop on the bundled model, the loss on the answer tokens only.

    >>> config = TrainConfig(rank=8, alpha=16, targets=("q_proj", "v_proj"), steps=40)
    >>> log = train(config, lora.load_pairs(lora.TRAIN_FILE), Path("out"), on_step=print)

Training runs on its own copy of the model (never the one serving answers) and
reports through `on_step(step, loss, sample)`; a `threading.Event` cancels it.
CLI: `python -m lib.cli.lora train ...` (see lora.py).
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lib.lora import INSTRUCTION, answers, as_backend, messages_for


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
    # How a batch is drawn: "draws" picks each batch at random from the pool (pairs can repeat before others are
    # seen: the bundled adapters before real ViGGO were trained so); "epochs" goes through the pool in a shuffled
    # order, every pair once before any pair twice, which is what "one pass over the data" means.
    sampling: str = "draws"
    sample_every: int = 10
    seed: int = 0
    instruction: str = INSTRUCTION  # the system prompt every training pair is shown with
    # The model to train on: empty (the bundled SmolLM2), "gemma-3-270m" (the bundled pretrained-only base, which
    # reads plain text) or a causal-LM folder (the tests' tiny one); see models.model_folder.
    base_model: str = ""

    def __post_init__(self):  # a wrong choice is said before a model is loaded, not at the first training step
        if self.sampling not in ("draws", "epochs"):
            raise ValueError(f"sampling must be 'draws' or 'epochs', not {self.sampling!r}")


@dataclass
class TrainLog:
    losses: list[float] = field(default_factory=list)
    samples: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0
    cancelled: bool = False


def _batch(tokenizer, pairs: list[dict[str, str]], instruction: str = INSTRUCTION):
    """Prompt + answer token ids, with the prompt masked out of the loss (-100), right-padded. A model with a chat
    template reads the pair in it; a pretrained-only one as plain text (generation.render_prompt)."""
    import torch

    from lib.generation import render_prompt, written_answer

    rows = []
    for pair in pairs:
        prompt = render_prompt(tokenizer, messages_for(pair["input"], instruction))
        p_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        a_ids = tokenizer(written_answer(tokenizer, pair["target"]), add_special_tokens=False)["input_ids"]
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
    base, tokenizer = models.load_causal_lm(models.model_folder(config.base_model))
    lora = LoraConfig(r=config.rank, lora_alpha=config.alpha, target_modules=list(config.targets),
                      lora_dropout=0.0, bias="none", task_type="CAUSAL_LM")
    return get_peft_model(base, lora), tokenizer


def settings_of(config: TrainConfig) -> dict:
    """The config as a run records it (lab_settings.json, the lab notebook), naming the bundled model, not a blank."""
    from lib import models

    return asdict(config) | {"base_model": config.base_model or models.BUNDLED_CHAT_NAME}


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


def print_progress(step: int, loss: float, sample: str | None) -> None:
    """on_step for the command line: one line a step on stderr."""
    print(f"step {step} loss {loss:.3f}" + (f" | {sample!r}" if sample else ""), file=sys.stderr, flush=True)


def _batches(pool: list[dict[str, str]], config: TrainConfig, rng: random.Random):
    """Training batches without end, drawn as `config.sampling` says."""
    size = min(config.batch_size, len(pool))
    if config.sampling == "draws":
        while True:
            yield rng.sample(pool, size)
    order: list[dict[str, str]] = []
    while True:
        # A new epoch: the old one's last few pairs open the new shuffled order (so at an epoch's seam, when the
        # pool is not a whole number of batches, one batch can hold a pair twice).
        if len(order) < size:
            fresh = pool[:]
            rng.shuffle(fresh)
            order += fresh
        yield order[:size]
        del order[:size]


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
    batches = _batches(pool, config, rng)
    log, started = TrainLog(), time.perf_counter()
    probe = pool[0]["input"]
    for step in range(1, config.steps + 1):
        if cancel.is_set():
            log.cancelled = True
            break
        batch = _batch(tokenizer, next(batches), config.instruction)
        loss = answer_loss(model, batch)
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        log.losses.append(loss.item())
        sample = None
        if step % config.sample_every == 0 or step == config.steps:
            model.eval()
            sample = answers(as_backend(model, tokenizer), [probe], instruction=config.instruction)[0]
            log.samples.append((step, sample))
            model.train()
        on_step(step, log.losses[-1], sample)
    log.seconds = time.perf_counter() - started
    model.eval()
    model.save_pretrained(out_dir)
    (Path(out_dir) / "lab_settings.json").write_text(json.dumps({**settings_of(config), "seconds": log.seconds,
                                                                 "final_loss": log.losses[-1] if log.losses else None}),
                                                     encoding="utf-8")
    return log
