"""Answering a label task the way the few-shot papers did: score every option, pick the likeliest.

    >>> scores = option_logprobs(loaded, prompt, ["positive", "negative"])   # log P(option | prompt), one each

Free generation asks the model to write an answer and reads the first label in it; a chat model that rambles,
or a base model that continues with something else, is scored wrong even when it "knows". Option scoring
(GPT-3's multiple-choice evaluation) never lets the model write: it reads the probability the model gives each
candidate right after the prompt, so the answer is always one of the labels.

The prompt is read once and its cache shared by every option, so scoring five labels costs little more than
reading the prompt (a test checks the scores equal reading prompt + option whole, option by option).
"""

from __future__ import annotations


def option_logprobs(loaded, prompt: str, options: list[str], per_row: dict | None = None) -> list[float]:
    """log P(option | prompt) for each option: the sum over its tokens (it is a label's probability, not a rate).

    `prompt` is text as the model reads it (chat template or BOS already in it); each option is tokenized on its
    own and appended, so every option follows exactly the same prompt tokens. Each `per_row` value is given once
    per row (peft's `adapter_names` picks an adapter that way).
    """
    import torch

    tokenizer, model = loaded.tokenizer, loaded.model
    prompt_ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)["input_ids"]
    option_ids = [tokenizer(option, add_special_tokens=False)["input_ids"] for option in options]
    if not option_ids or not all(option_ids):
        raise ValueError("Every option needs at least one token.")
    n, width, length = len(options), max(map(len, option_ids)), prompt_ids.shape[1]
    batch = torch.full((n, width), tokenizer.pad_token_id, dtype=torch.long)
    mask = torch.zeros((n, length + width), dtype=torch.long)
    mask[:, :length] = 1
    for row, ids in enumerate(option_ids):
        batch[row, : len(ids)] = torch.tensor(ids)
        mask[row, length : length + len(ids)] = 1  # padding after an option is never attended by its own tokens
    with torch.inference_mode():
        # Only the last position's scores are needed from the prompt: Gemma's 262k-word vocabulary made the rest
        # cost more than the whole model.
        rows = {key: [value] for key, value in (per_row or {}).items()}
        read = model(input_ids=prompt_ids, use_cache=True, logits_to_keep=1, **rows)
        first = read.logits[0, -1].float().log_softmax(-1)
        cache = read.cache
        cache.batch_repeat_interleave(n)
        rows = {key: [value] * n for key, value in (per_row or {}).items()}
        rest = model(input_ids=batch, attention_mask=mask, cache=cache, **rows).logits.float().log_softmax(-1)
    return [float(first[ids[0]] + sum(rest[row, j - 1, ids[j]] for j in range(1, len(ids))))
            for row, ids in enumerate(option_ids)]
