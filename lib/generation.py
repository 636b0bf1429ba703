"""Text generation on a local transformers model: streamed, batched, cancellable.

    >>> settings = GenerationSettings(max_new_tokens=32)          # greedy by default
    >>> stream = Stream(loaded, render_prompt(loaded.tokenizer, messages), settings, threading.Event())
    >>> "".join(stream); stream.stats.tokens_per_second

Pages and evaluations never call this module: they ask a backend (`backends.py`), which renders its prompt and
calls it.

Every call takes a `threading.Event`; setting it stops the model at the next
token (a stopping criterion checks it), and leaving a stream early sets it, so a
closed tab or a new question never leaves a thread generating.

Turns on the shared CPU (see `scheduler.py`) are taken a token at a time; remote models are in `backends.py`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from lib.scheduler import current_request, pass_turn, step, working_for

Messages = list[dict[str, str]]


class PromptTooLong(ValueError):
    """The prompt plus the room kept for the answer does not fit the model's context window."""


@dataclass(frozen=True)
class GenerationSettings:
    max_new_tokens: int = 128
    temperature: float = 0.0  # 0 means greedy: the same prompt always gives the same answer
    top_p: float = 1.0
    seed: int = 0

    @property
    def greedy(self) -> bool:
        return self.temperature <= 0.0

    def generate_kwargs(self) -> dict:
        if self.greedy:
            return {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
        return {"do_sample": True, "temperature": self.temperature, "top_p": self.top_p, "top_k": None}


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    new_tokens: int = 0
    started: float = field(default_factory=time.perf_counter)
    first_token_at: float | None = None
    finished_at: float | None = None
    cancelled: bool = False

    @property
    def ttft_s(self) -> float | None:
        return None if self.first_token_at is None else self.first_token_at - self.started

    @property
    def tokens_per_second(self) -> float:
        """Decode speed after the first token, the figure llama.cpp and friends report."""
        if self.first_token_at is None or self.new_tokens < 2:
            return 0.0
        end = self.finished_at or time.perf_counter()
        return (self.new_tokens - 1) / max(end - self.first_token_at, 1e-9)


def completion_prompt(messages: Messages) -> str:
    """The same instruction, shots and question as plain text for a pretrained-only model to continue."""
    blocks = []
    for message in messages:
        if message["role"] == "system":
            blocks.append(message["content"] + "\n")
        elif message["role"] == "user":
            blocks.append(f"Input: {message['content']}\nOutput:")
        else:
            blocks[-1] += f" {message['content']}\n"
    return "\n".join(blocks)


def render_prompt(tokenizer, messages: Messages) -> str:
    """The exact string a model reads for `messages`: its chat template, ready for the assistant's turn; or, for a
    pretrained-only model (it has no template), BOS and the plain text above."""
    if tokenizer.chat_template:
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return (tokenizer.bos_token or "") + completion_prompt(messages)


def written_answer(tokenizer, answer: str) -> str:
    """An answer as the model should write it after `render_prompt`: in the chat template's turn, or after "Output:"
    with a space; then the end-of-text token, so the model learns where to stop."""
    return (answer if tokenizer.chat_template else " " + answer) + tokenizer.eos_token


def count_tokens(tokenizer, text: str) -> int:
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def check_fits(prompt_tokens: int, max_new_tokens: int, context_window: int) -> None:
    if prompt_tokens + max_new_tokens > context_window:
        raise PromptTooLong(
            f"The prompt is {prompt_tokens:,} tokens; with room for {max_new_tokens} new tokens that is "
            f"{prompt_tokens + max_new_tokens:,}, more than this model's context window of {context_window:,}. "
            "Shorten the text (or lower 'max new tokens')."
        )


def between_tokens(cancel: threading.Event):
    """Checked after every token: stop once `cancel` is set, and let other sessions' waiting steps run first."""
    from transformers import StoppingCriteria, StoppingCriteriaList

    class StopOnEvent(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            pass_turn()
            return cancel.is_set()

    return StoppingCriteriaList([StopOnEvent()])


def _encode(loaded, prompts: list[str], max_new_tokens: int):
    enc = loaded.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
    longest = int(enc["attention_mask"].sum(dim=1).max())
    check_fits(longest, max_new_tokens, loaded.context_window)
    return enc


class Stream:
    """Iterates over text pieces as the model writes them; `stats` fills in as it goes.

    The generating thread takes the CPU turns of the request its creator works for, one token at a time, after
    taking `lock` (so it never holds a turn while it waits for the lock); the reader only waits."""

    def __init__(self, loaded, prompt: str, settings: GenerationSettings, cancel: threading.Event,
                 extra: dict | None = None, lock=None):
        import torch
        from transformers import TextIteratorStreamer

        self.prompt = prompt
        self.cancel = cancel
        enc = _encode(loaded, [prompt], settings.max_new_tokens)
        self.stats = GenerationStats(prompt_tokens=int(enc["input_ids"].shape[1]))
        self._streamer = TextIteratorStreamer(loaded.tokenizer, skip_prompt=True, skip_special_tokens=True)
        self._counter = _TokenCounter(self.stats)
        kwargs = dict(
            **enc,
            max_new_tokens=settings.max_new_tokens,
            streamer=_Tee(self._streamer, self._counter),
            stopping_criteria=between_tokens(cancel),
            pad_token_id=loaded.tokenizer.pad_token_id,
            **settings.generate_kwargs(),
            **(extra or {}),  # e.g. adapter_names=[...] to pick a LoRA adapter for this call only
        )

        self._error: BaseException | None = None
        request = current_request()

        def run():
            if not settings.greedy:
                torch.manual_seed(settings.seed)
            try:
                with lock or contextlib.nullcontext(), working_for(request), step(), torch.inference_mode():
                    loaded.model.generate(**kwargs)
            except BaseException as error:  # handed to the reader, which re-raises it
                self._error = error
            finally:
                self._streamer.end()

        self._thread = threading.Thread(target=run, name="generate", daemon=True)
        self._thread.start()

    def __iter__(self) -> Iterator[str]:
        completed = False
        try:
            for piece in self._streamer:
                if piece:
                    yield piece
            completed = True
            if self._error is not None:
                raise self._error
        finally:
            # Reached on normal end and when the reader goes away (rerun, closed tab, exception).
            self.stats.cancelled = not completed or self.cancel.is_set()
            self.cancel.set()
            self._thread.join()
            self.stats.finished_at = time.perf_counter()


class _TokenCounter:
    def __init__(self, stats: GenerationStats):
        self.stats = stats
        self._prompt_seen = False

    def put(self, value) -> None:
        if not self._prompt_seen:  # generate() first hands the streamer the prompt itself
            self._prompt_seen = True
            return
        if self.stats.first_token_at is None:
            self.stats.first_token_at = time.perf_counter()
        self.stats.new_tokens += int(value.numel())


class _Tee:
    """Feeds both the text streamer and the token counter from generate()'s one streamer slot."""

    def __init__(self, *sinks):
        self.sinks = sinks

    def put(self, value) -> None:
        for sink in self.sinks:
            sink.put(value)

    def end(self) -> None:
        for sink in self.sinks:
            if hasattr(sink, "end"):
                sink.end()


def complete_batch(
    loaded,
    prompts: list[str],
    settings: GenerationSettings,
    cancel: threading.Event | None = None,
    batch_size: int = 8,
    stop: str | None = None,
    per_row: dict | None = None,
) -> list[str]:
    """Continuations of prompts exactly as given (chat template or BOS already in them), batched as generate_batch;
    a row ends at `stop` (kept in its text) when one is given. Each `per_row` value is given once per row of a
    batch: peft's `adapter_names` picks an adapter that way."""
    import torch

    cancel = cancel or threading.Event()
    answers: list[str] = []
    for start in range(0, len(prompts), batch_size):
        if cancel.is_set():
            break
        enc = _encode(loaded, prompts[start : start + batch_size], settings.max_new_tokens)
        rows = {key: [value] * len(enc["input_ids"]) for key, value in (per_row or {}).items()}
        if not settings.greedy:
            torch.manual_seed(settings.seed + start)
        with torch.inference_mode():
            out = loaded.model.generate(
                **enc,
                max_new_tokens=settings.max_new_tokens,
                stopping_criteria=between_tokens(cancel),
                pad_token_id=loaded.tokenizer.pad_token_id,
                **settings.generate_kwargs(),
                **({"stop_strings": [stop], "tokenizer": loaded.tokenizer} if stop else {}),
                **rows,
            )
        new = out[:, enc["input_ids"].shape[1] :]
        answers += loaded.tokenizer.batch_decode(new, skip_special_tokens=True)
    return answers


def sample_answers(backend, messages: Messages, n: int, seed: int, temperature: float = 0.9,
                   max_new_tokens: int = 96) -> list[str]:
    """n different sampled answers to the same conversation from a backend (reproducible for a seed)."""
    settings = GenerationSettings(max_new_tokens=max_new_tokens, temperature=temperature, top_p=0.95, seed=seed)
    return [a.strip() for a in backend.answer_all([messages] * n, settings)]
