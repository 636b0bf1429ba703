"""Looking inside an adapter: its update ΔW = B·A next to the frozen weight, and merging it into W.

    >>> w, delta, rank = delta_weight(lora.BUNDLED["viggo"])
    >>> merge_check(lora.BUNDLED["viggo"], lora.load_pairs(lora.TEST_FILE)[:3])["same_text"]
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from lib.lora import EVAL_TOKENS, answers, as_backend, base_model_of, messages_for, serving_model


def delta_weight(adapter_dir: Path, module: str = "model.layers.0.self_attn.q_proj"):
    """(W, B·A scaled, rank) for one projection: the base weight and the adapter's low-rank update to it."""
    from safetensors import safe_open

    from lib.models import model_folder

    settings = json.loads((Path(adapter_dir) / "adapter_config.json").read_text(encoding="utf-8"))
    with safe_open(str(Path(adapter_dir) / "adapter_model.safetensors"), "pt") as f:
        keys = list(f.keys())
        a = f.get_tensor(next(k for k in keys if f"{module}.lora_A" in k)).float()
        b = f.get_tensor(next(k for k in keys if f"{module}.lora_B" in k)).float()
    with safe_open(str(Path(model_folder(base_model_of(adapter_dir))) / "model.safetensors"), "pt") as f:
        w = f.get_tensor(f"{module}.weight").float()
    scale = settings["lora_alpha"] / settings["r"]
    return w, (b @ a) * scale, settings["r"]


def merge_check(adapter_dir: Path, pairs: list[dict[str, str]],
                progress: Callable[[float, str], None] = lambda _f, _text: None) -> dict:
    """Adapter outputs vs the same adapter merged into W (`merge_and_unload`), on a fresh copy of the model.

    `progress(share done, what is happening)` is called as each of its four stages starts."""
    import torch

    progress(0.0, "Loading a fresh copy of the model with the adapter (1 of 4)…")
    from lib.generation import render_prompt

    model, tokenizer = serving_model({"check": Path(adapter_dir)}, base_model_of(adapter_dir))
    sentences = [p["input"] for p in pairs]
    enc = tokenizer(render_prompt(tokenizer, messages_for(sentences[0])), return_tensors="pt", add_special_tokens=False)
    progress(0.25, f"Answering {len(sentences)} sentences with base + adapter (2 of 4)…")
    with torch.inference_mode():
        before_logits = model(**enc).logits
    before = answers(as_backend(model, tokenizer), sentences, EVAL_TOKENS)  # its one adapter, active
    progress(0.5, "Adding ΔW = B·A into W for good: merge_and_unload (3 of 4)…")
    merged = model.merge_and_unload()
    progress(0.6, f"Answering the same {len(sentences)} sentences with the merged model (4 of 4)…")
    with torch.inference_mode():
        after_logits = merged(**enc).logits
    after = []
    for done, sentence in enumerate(sentences):
        after += answers(as_backend(merged, tokenizer), [sentence], EVAL_TOKENS)
        progress(0.6 + 0.4 * (done + 1) / len(sentences), f"Merged model: {done + 1} of {len(sentences)} answered…")
    return {"rows": [{"input": s, "adapter": b, "merged": a} for s, b, a in zip(sentences, before, after)],
            "same_text": before == after, "max_logit_diff": float((before_logits - after_logits).abs().max())}
