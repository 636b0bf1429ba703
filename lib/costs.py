"""What training, fine-tuning and prompting cost, from the rule of thumb FLOPs ≈ 6 × parameters × tokens.

    >>> training_flops(70e9, 2e12)            # LLaMA-2 70B
    8.4e+23
    >>> gpu_hours(8.4e23, peak_flops=3.12e14, utilisation=0.4)   # ≈ 1.87 million A100-hours

Forward pass ≈ 2 FLOP per parameter per token, backward ≈ 4 (gradients for the
activations and for the weights). A LoRA fine-tune still runs the whole model
forward and backward but skips the frozen weights' gradients: ≈ 4 per parameter
per token. Answering a prompt is forward only: ≈ 2. What this leaves out:
attention's extra cost on long contexts, memory limits, failed runs and
experiments, which multiply real budgets.

Presets, GPUs and assumptions live in data/costs.json with their sources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from lib.models import REPO_ROOT

COSTS_FILE = REPO_ROOT / "data" / "costs.json"
FLOP_PER_PARAM_TOKEN = {"train": 6, "lora": 4, "prompt": 2}
SECONDS_PER_HOUR = 3600


@lru_cache(maxsize=1)
def presets() -> dict:
    return json.loads(COSTS_FILE.read_text(encoding="utf-8"))


def lora_example_tokens(example: dict) -> int:
    """Tokens the bundled adapter was trained on: its own steps × batch (adapters/NAME/lab_settings.json), so the
    ladder follows a retrained adapter, times the file's estimate of one pair's length."""
    settings = json.loads((REPO_ROOT / "adapters" / example["adapter"] / "lab_settings.json").read_text(encoding="utf-8"))
    return int(settings["steps"] * settings["batch_size"] * example["tokens_per_pair"])


def training_flops(parameters: float, tokens: float, kind: str = "train") -> float:
    return FLOP_PER_PARAM_TOKEN[kind] * parameters * tokens


def gpu_hours(flops: float, peak_flops: float, utilisation: float) -> float:
    """GPU-hours at a sustained share of the GPU's peak FLOP/s."""
    if not 0 < utilisation <= 1:
        raise ValueError("utilisation must be in (0, 1]")
    return flops / (peak_flops * utilisation) / SECONDS_PER_HOUR


def implied_utilisation(parameters: float, tokens: float, reported_gpu_hours: float, peak_flops: float) -> float:
    """The share of peak a published run must have sustained, given its reported GPU-hours."""
    return training_flops(parameters, tokens) / (reported_gpu_hours * SECONDS_PER_HOUR * peak_flops)


@dataclass(frozen=True)
class Budget:
    flops: float
    gpu_hours: float
    days: float  # wall-clock on the chosen number of GPUs
    dollars: float
    megawatt_hours: float  # the GPUs' own draw only: no cooling, CPUs or network
    cpu_years: float  # the same work on this 2-core laptop at its measured FLOP/s


def budget(flops: float, peak_flops: float, watts: float, utilisation: float, gpus: int,
           price_per_gpu_hour: float, cpu_flops: float) -> Budget:
    hours = gpu_hours(flops, peak_flops, utilisation)
    return Budget(flops=flops, gpu_hours=hours, days=hours / max(gpus, 1) / 24, dollars=hours * price_per_gpu_hour,
                  megawatt_hours=hours * watts / 1e6, cpu_years=flops / cpu_flops / SECONDS_PER_HOUR / 24 / 365.25)


def ladder(parameters: float, tokens: float, lora_tokens: float, prompt_tokens: float) -> list[dict]:
    """The same model's three options in FLOPs, for one log-scale chart."""
    return [
        {"option": "Train from scratch", "flops": training_flops(parameters, tokens, "train")},
        {"option": "LoRA fine-tune", "flops": training_flops(parameters, lora_tokens, "lora")},
        {"option": "One prompt", "flops": training_flops(parameters, prompt_tokens, "prompt")},
    ]
