"""Train a language model from scratch for a minute: a tiny character-level transformer on sample_docs.

    >>> text = corpus()
    >>> log = train(TinyConfig(seconds=60), text, on_step=print)     # (step, loss, sample or None)

A few-hundred-thousand-parameter GPT in the style of nanoGPT (token + position
embeddings, pre-norm blocks of causal self-attention and an MLP, a linear head),
trained with AdamW on random 64-character windows. It learns spelling and
common words in a minute; it never learns facts or how to answer. That contrast
with the pretrained SmolLM2 (2 trillion tokens) is the point of the page.
What this leaves out: tokenisation beyond single characters, dropout, learning
rate schedules, checkpoints.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lib.models import REPO_ROOT

SAMPLE_DOCS = REPO_ROOT / "sample_docs"


@dataclass(frozen=True)
class TinyConfig:
    seconds: float = 60.0
    layers: int = 2
    width: int = 96
    heads: int = 4
    context: int = 64
    batch_size: int = 32
    learning_rate: float = 3e-3
    sample_every_s: float = 5.0
    prompt: str = "The "
    seed: int = 0


@dataclass
class TinyLog:
    losses: list[float] = field(default_factory=list)
    samples: list[tuple[int, str]] = field(default_factory=list)
    parameters: int = 0
    characters: int = 0  # characters seen in training (batch × context × steps)
    seconds: float = 0.0
    cancelled: bool = False


def corpus(folder: Path = SAMPLE_DOCS) -> str:
    """Every text and Markdown file under `folder`, concatenated."""
    parts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md")) + sorted(folder.glob("*.txt"))]
    return "\n\n".join(parts)


def _model(vocab: int, config: TinyConfig):
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1, self.norm2 = nn.LayerNorm(config.width), nn.LayerNorm(config.width)
            self.attn = nn.MultiheadAttention(config.width, config.heads, batch_first=True)
            self.mlp = nn.Sequential(nn.Linear(config.width, 4 * config.width), nn.GELU(),
                                     nn.Linear(4 * config.width, config.width))

        def forward(self, x, mask):
            h = self.norm1(x)
            x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
            return x + self.mlp(self.norm2(x))

    class TinyGPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tokens = nn.Embedding(vocab, config.width)
            self.positions = nn.Embedding(config.context, config.width)
            self.blocks = nn.ModuleList(Block() for _ in range(config.layers))
            self.norm, self.head = nn.LayerNorm(config.width), nn.Linear(config.width, vocab)

        def forward(self, idx):
            t = idx.shape[1]
            mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)  # True = may not look ahead
            x = self.tokens(idx) + self.positions(torch.arange(t))
            for block in self.blocks:
                x = block(x, mask)
            return self.head(self.norm(x))

    return TinyGPT()


def sample(model, stoi: dict[str, int], itos: list[str], prompt: str, length: int, context: int,
           generator=None) -> str:
    """Continue `prompt` one character at a time, sampling from the model's next-character distribution."""
    import torch

    idx = torch.tensor([[stoi.get(c, 0) for c in prompt]])
    with torch.no_grad():
        for _ in range(length):
            logits = model(idx[:, -context:])[:, -1]
            nxt = torch.multinomial(torch.softmax(logits, -1), 1, generator=generator)
            idx = torch.cat([idx, nxt], dim=1)
    return "".join(itos[i] for i in idx[0].tolist())


def train(config: TinyConfig, text: str, on_step: Callable[[int, float, str | None], None] = lambda *_: None,
          cancel: threading.Event | None = None) -> TinyLog:
    """Train from random weights until `config.seconds` pass (or `cancel` is set)."""
    import torch
    import torch.nn.functional as F

    if len(text) < config.context + 2:
        raise ValueError(f"The training text needs at least {config.context + 2} characters.")
    cancel = cancel or threading.Event()
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    itos = sorted(set(text))
    stoi = {c: i for i, c in enumerate(itos)}
    data = torch.tensor([stoi[c] for c in text])
    model = _model(len(itos), config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate)
    log = TinyLog(parameters=sum(p.numel() for p in model.parameters()))
    # Seconds of training count the steps only: time spent in on_step (where a busy server pauses the run) doesn't.
    trained = last_sample = 0.0
    step = 0
    while trained < config.seconds:
        if cancel.is_set():
            log.cancelled = True
            break
        began = time.perf_counter()
        step += 1
        starts = torch.randint(len(data) - config.context - 1, (config.batch_size,), generator=generator)
        x = torch.stack([data[s : s + config.context] for s in starts])
        y = torch.stack([data[s + 1 : s + config.context + 1] for s in starts])
        loss = F.cross_entropy(model(x).reshape(-1, len(itos)), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        log.losses.append(loss.item())
        log.characters += config.batch_size * config.context
        text_out = None
        if trained - last_sample >= config.sample_every_s:
            model.eval()
            text_out = sample(model, stoi, itos, config.prompt, 120, config.context, generator)
            model.train()
            log.samples.append((step, text_out))
            last_sample = trained
        trained += time.perf_counter() - began
        on_step(step, log.losses[-1], text_out)
    model.eval()
    # A cancelled run reports a short sample: its page is waiting to say "cancelled", promptly.
    final = sample(model, stoi, itos, config.prompt, 60 if log.cancelled else 200, config.context, generator)
    log.samples.append((step, final))
    log.seconds = trained
    return log
