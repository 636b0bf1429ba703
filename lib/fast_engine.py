"""The fast engine: SmolLM2's own 4-bit weights run by onnxruntime-genai, streamed, batched, cancellable.

    >>> fast = load()                                   # builds the model once (~15 s), then loads in <1 s
    >>> stream = stream_chat(fast, [{"role": "user", "content": "Hi"}], GenerationSettings())
    >>> "".join(stream); stream.stats.tokens_per_second

Why it is fast: decoding on a CPU is bound by how many bytes of weights it reads
per token: ~540 MB in float32, ~95 MB here (4-bit blocks; 8-bit output layer).
Why it is not lossy: it runs the very blocks the bundled GGUF ships (see
`onnx_build.py`) instead of re-quantizing de-quantized weights.

The prompt is tokenized by the same Hugging Face tokenizer as the reference
path, so the X-ray's prompt is token for token what this engine reads. A
stream computes one token per step in the reader's thread; a set cancel event,
or the reader leaving, stops it before the next token.

What this leaves out: LoRA adapters, logits and training (those stay on PyTorch, see `generation.py`).
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lib import models, onnx_build
from lib.generation import GenerationSettings, GenerationStats, Messages, check_fits, render_prompt

ENGINE = "onnxruntime-genai"
VARIANTS = {  # variant → what the sidebar says about it
    "int8-activations": "4-bit GGUF blocks, int8 activations",
    "float-activations": "4-bit GGUF blocks, float32 activations",
}
DEFAULT_VARIANT = "int8-activations"
BATCH = 4  # requests the engine decodes together (its configured maximum)


@dataclass(frozen=True)
class FastModel:
    name: str
    model: object  # onnxruntime_genai.Model: sessions are safe to share between threads
    tokenizer: object  # the Hugging Face tokenizer of the reference model
    variant: str
    load_seconds: float
    context_window: int

    @property
    def label(self) -> str:
        return f"fast: {VARIANTS[self.variant]}, {ENGINE}"


def model_dir(variant: str = DEFAULT_VARIANT) -> Path:
    return models.cache_dir() / f"{models.BUNDLED_CHAT_NAME}-onnx-{variant}"


def is_built(variant: str = DEFAULT_VARIANT) -> bool:
    return (model_dir(variant) / "engine.json").is_file()


def ensure_built(variant: str = DEFAULT_VARIANT, progress: Callable[[str], None] = lambda _m: None) -> float:
    """Build the engine's model once (after the safetensors conversion it reads); seconds taken, 0 when cached."""
    if is_built(variant):
        return 0.0
    models.ensure_converted(progress)  # takes the conversion lock itself, so before we take it
    with models._convert_lock:
        if is_built(variant):
            return 0.0
        started = time.perf_counter()
        onnx_build.build(models.converted_dir(), models.gguf_path(), model_dir(variant), variant, progress)
        return time.perf_counter() - started


def load(variant: str = DEFAULT_VARIANT, progress: Callable[[str], None] = lambda _m: None) -> FastModel:
    """The engine's model, built on first use; a missing or damaged cache is rebuilt (with a message)."""
    import onnxruntime_genai as og
    from transformers import AutoTokenizer

    started = time.perf_counter()
    ensure_built(variant, progress)
    try:
        model = og.Model(str(model_dir(variant)))
    except Exception as error:  # a truncated or edited cache: build it again rather than fail
        progress(f"The engine's cached model could not be loaded ({str(error)[:120]}); rebuilding it…")
        shutil.rmtree(model_dir(variant), ignore_errors=True)
        ensure_built(variant, progress)
        model = og.Model(str(model_dir(variant)))
    tokenizer = AutoTokenizer.from_pretrained(str(models.converted_dir()))
    window = json.loads((model_dir(variant) / "genai_config.json").read_text())["model"]["context_length"]
    return FastModel(models.BUNDLED_CHAT_NAME, model, tokenizer, variant, time.perf_counter() - started, int(window))


def encode(fast: FastModel, prompt: str) -> list[int]:
    return fast.tokenizer(prompt, add_special_tokens=False)["input_ids"]


def _search_options(settings: GenerationSettings, max_length: int) -> dict:
    if settings.greedy:
        return {"max_length": max_length, "do_sample": False}
    # top_k 0: no top-k cut, as in the reference path (which passes top_k=None).
    return {"max_length": max_length, "do_sample": True, "temperature": settings.temperature,
            "top_p": settings.top_p, "top_k": 0, "random_seed": settings.seed}


class _Detokenizer:
    """Text pieces from token ids as they come, never splitting a multi-byte character."""

    def __init__(self, tokenizer):
        self.tokenizer, self.ids, self.sent = tokenizer, [], ""

    def add(self, token: int) -> str:
        self.ids.append(token)
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if text.endswith("\ufffd") or not text.startswith(self.sent):
            return ""  # half a character so far: wait for the next token
        piece, self.sent = text[len(self.sent):], text
        return piece

    def rest(self) -> str:
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        piece, self.sent = text[len(self.sent):] if text.startswith(self.sent) else "", text
        return piece


class FastStream:
    """Iterates over text pieces as the engine writes them; `stats` fills in as it goes."""

    def __init__(self, fast: FastModel, prompt: str, settings: GenerationSettings, cancel: threading.Event):
        self.fast, self.prompt, self.settings, self.cancel = fast, prompt, settings, cancel
        self.ids = encode(fast, prompt)
        check_fits(len(self.ids), settings.max_new_tokens, fast.context_window)
        self.stats = GenerationStats(prompt_tokens=len(self.ids))

    def __iter__(self) -> Iterator[str]:
        import onnxruntime_genai as og

        params = og.GeneratorParams(self.fast.model)
        params.set_search_options(**_search_options(self.settings, len(self.ids) + self.settings.max_new_tokens))
        generator = og.Generator(self.fast.model, params)
        text = _Detokenizer(self.fast.tokenizer)
        completed = False
        try:
            generator.append_tokens([self.ids])
            while not generator.is_done() and not self.cancel.is_set():
                generator.generate_next_token()
                self.stats.first_token_at = self.stats.first_token_at or time.perf_counter()
                self.stats.new_tokens += 1
                piece = text.add(int(generator.get_next_tokens()[0]))
                if piece:
                    yield piece
            if piece := text.rest():
                yield piece
            completed = True
        finally:
            # Reached on normal end and when the reader goes away (rerun, closed tab, exception).
            self.stats.cancelled = not completed or self.cancel.is_set()
            self.cancel.set()
            self.stats.finished_at = time.perf_counter()
            del generator


def stream_chat(fast: FastModel, messages: Messages, settings: GenerationSettings,
                cancel: threading.Event | None = None) -> FastStream:
    """Start an answer to `messages` (the chat template applied exactly as the reference path does)."""
    return FastStream(fast, render_prompt(fast.tokenizer, messages), settings, cancel or threading.Event())


def generate_batch(fast: FastModel, conversations: list[Messages], settings: GenerationSettings,
                   cancel: threading.Event | None = None, batch_size: int = BATCH) -> list[str]:
    """Answers for many conversations, decoded `batch_size` at a time by the engine's continuous batching.

    Greedy answers equal one-by-one answers token for token (tests check it)."""
    import numpy as np
    import onnxruntime_genai as og

    cancel = cancel or threading.Event()
    prompts = [encode(fast, render_prompt(fast.tokenizer, m)) for m in conversations]
    check_fits(max(map(len, prompts), default=0), settings.max_new_tokens, fast.context_window)
    engine = og.Engine(fast.model)
    events = engine.create_event_buffer(64)
    tokens: list[list[int]] = [[] for _ in prompts]
    waiting, running = list(range(len(prompts)))[::-1], {}
    while (waiting or running) and not cancel.is_set():
        while waiting and len(running) < batch_size:  # keep the batch full as answers finish
            i = waiting.pop()
            request = engine.create_request()
            options = og.TurnOptions(request)
            _turn_options(options, settings, i)
            request.begin_turn(np.asarray(prompts[i], dtype=np.int32), options)
            running[i] = request
        for event in engine.run(events):
            i = next(k for k, r in running.items() if r == event.request)
            if event.flags & og.EngineEventFlags.TOKEN:
                tokens[i].append(int(event.token))
            if event.flags & (og.EngineEventFlags.TURN_FINISHED | og.EngineEventFlags.FAILED):
                running.pop(i).close()
    for request in running.values():
        request.close()
    return [fast.tokenizer.decode(t, skip_special_tokens=True) for t in tokens]


def _turn_options(options, settings: GenerationSettings, index: int) -> None:
    options.set_max_generated_tokens(settings.max_new_tokens)
    options.set_do_sample(not settings.greedy)
    if not settings.greedy:
        options.set_temperature(settings.temperature)
        options.set_top_p(settings.top_p)
        options.set_top_k(0)
        options.set_seed(settings.seed + index)  # a different, reproducible draw for each conversation
