"""What the model puts next: the likeliest tokens at any point of an answer, and an answer continued from any prefix.

    >>> ids = encode(loaded, prompt)                        # the prompt as the model reads it, in token ids
    >>> alternatives(loaded, ids, k=5)                      # [Alternative(id, text, probability), ...] best first
    >>> continue_from(loaded, ids + [other.id], 48)         # greedy new token ids, from exactly that prefix

A prefix is kept as token ids, never as text: text tokenized again can split another way, and a forced token must
stay the token it was. These run on PyTorch (`LoadedModel`, the reference engine and adapters): the fast engine
returns tokens, not probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Alternative:
    id: int
    text: str
    probability: float


def encode(loaded, prompt: str) -> list[int]:
    """Token ids of a prompt written as the model reads it (chat template or BOS already in the text)."""
    return loaded.tokenizer(prompt, add_special_tokens=False)["input_ids"]


def alternatives(loaded, ids: list[int], k: int = 5, per_row: dict | None = None) -> list[Alternative]:
    """The k likeliest next tokens after `ids` with their probabilities (softmax at temperature 1), best first."""
    import torch

    rows = {key: [value] for key, value in (per_row or {}).items()}  # peft's adapter_names, one per row
    with torch.inference_mode():
        logits = loaded.model(input_ids=torch.tensor([ids]), logits_to_keep=1, **rows).logits[0, -1].float()
    top = torch.topk(logits.softmax(-1), k)
    return [Alternative(int(i), loaded.tokenizer.decode([int(i)]), float(p)) for p, i in zip(top.values, top.indices)]


def continue_from(loaded, ids: list[int], max_new_tokens: int, per_row: dict | None = None) -> list[int]:
    """Greedy new token ids after exactly `ids`, up to the end-of-text token (not included)."""
    import torch

    rows = {key: [value] for key, value in (per_row or {}).items()}
    prefix = torch.tensor([ids])
    with torch.inference_mode():
        out = loaded.model.generate(input_ids=prefix, attention_mask=torch.ones_like(prefix), do_sample=False,
                                    max_new_tokens=max_new_tokens, pad_token_id=loaded.tokenizer.pad_token_id,
                                    **rows)
    new = out[0, len(ids):].tolist()
    ends = {loaded.tokenizer.eos_token_id, loaded.tokenizer.pad_token_id}
    return new[: next((i for i, t in enumerate(new) if t in ends), len(new))]
