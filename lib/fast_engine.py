"""The fast engine: SmolLM2's own 4-bit weights run by onnxruntime-genai, streamed, batched, cancellable.

    >>> fast = load()                                   # builds the model once (~15 s), then loads in ~0.3 s
    >>> stream = stream_chat(fast, [{"role": "user", "content": "Hi"}], GenerationSettings())
    >>> "".join(stream); stream.stats.tokens_per_second

Why it is fast: decoding on a CPU is bound by how many bytes of weights it reads
per token: ~540 MB in float32, ~120 MB here (4-bit blocks with float scales; 8-bit output layer).
Why it is not lossy: it runs the very blocks the bundled GGUF ships (see
`onnx_build.py`) instead of re-quantizing de-quantized weights, with float32
activations. The "int8" build also quantizes activations (faster, and lossy).

The prompt is tokenized by the same Hugging Face tokenizer as the reference
path, so the X-ray's prompt is token for token what this engine reads. A
stream computes one token per step in the reader's thread, each step a turn on
the shared CPU (`scheduler.step`); a set cancel event, or the reader leaving,
stops it before the next token.

What this leaves out: LoRA adapters, logits and training (those stay on PyTorch, see `generation.py`).
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from lib import models, onnx_build
from lib.generation import GenerationSettings, GenerationStats, Messages, check_fits, render_prompt
from lib.scheduler import step

# activations → what the sidebar calls it. "exact" keeps the float32 path's accuracy; "int8" is faster and lossy.
LABELS = {"exact": "fast: 4-bit weights, onnxruntime-genai", "int8": "fastest: 4-bit weights, int8 activations (lossy)"}


@dataclass(frozen=True)
class FastModel:
    name: str
    model: object  # onnxruntime_genai.Model: sessions are safe to share between threads
    tokenizer: object  # the Hugging Face tokenizer of the reference model
    load_seconds: float
    context_window: int
    label: str = LABELS["exact"]


def model_dir(activations: str = "exact") -> Path:
    return models.cache_dir() / f"{models.BUNDLED_CHAT_NAME}-onnx-q4_1-{activations}"


def is_built(activations: str = "exact") -> bool:
    return (model_dir(activations) / "engine.json").is_file()


def ensure_built(activations: str = "exact", progress: Callable[[str], None] = lambda _m: None) -> float:
    """Build the engine's model once (after the safetensors conversion it reads); seconds taken, 0 when cached."""
    if is_built(activations):
        return 0.0
    models.ensure_converted(progress)  # takes the conversion lock itself, so before we take it
    with models._convert_lock:
        if is_built(activations):
            return 0.0
        started = time.perf_counter()
        onnx_build.build(models.converted_dir(), models.gguf_path(), model_dir(activations), activations, progress)
        return time.perf_counter() - started


def load(activations: str = "exact", progress: Callable[[str], None] = lambda _m: None) -> FastModel:
    """The engine's model, built on first use; a missing or damaged cache is rebuilt (with a message)."""
    import onnxruntime_genai as og
    # The tokenizer class itself: AutoTokenizer would first import every model family's config (~2 s).
    from transformers import PreTrainedTokenizerFast

    started = time.perf_counter()
    folder = model_dir(activations)
    ensure_built(activations, progress)
    try:
        model = og.Model(str(folder))
    except Exception as error:  # a truncated or edited cache: build it again rather than fail
        progress(f"The engine's cached model could not be loaded ({str(error)[:160]}); rebuilding it…")
        shutil.rmtree(folder, ignore_errors=True)
        ensure_built(activations, progress)
        model = og.Model(str(folder))
    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(models.converted_dir()))
    window = json.loads((folder / "genai_config.json").read_text())["model"]["context_length"]
    return FastModel(models.BUNDLED_CHAT_NAME, model, tokenizer, time.perf_counter() - started, int(window),
                     LABELS[activations])


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
            with step():  # each model call takes a turn on the shared CPU (see scheduler.py)
                generator.append_tokens([self.ids])
            while not generator.is_done() and not self.cancel.is_set():
                with step():
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
                   cancel: threading.Event | None = None) -> list[str]:
    """Answers for many conversations. Greedy answers equal one-by-one answers token for token (tests check it).

    An evaluation sends the same instruction and shots before every item, so the engine keeps what it has
    read and, for each conversation, reads only the tokens after the part it shares with the one before
    (its key/value cache is rewound to the shared prefix). Sampled answers are drawn one by one, each
    with its own seed (settings.seed + its index), so they differ from each other and are reproducible."""
    cancel = cancel or threading.Event()
    prompts = [encode(fast, render_prompt(fast.tokenizer, m)) for m in conversations]
    check_fits(max(map(len, prompts), default=0), settings.max_new_tokens, fast.context_window)
    if not settings.greedy:
        return ["" if cancel.is_set() else _generate(fast, ids, replace(settings, seed=settings.seed + i), cancel)
                for i, ids in enumerate(prompts)]
    answers: list[str] = []
    reader = _PrefixReader(fast, max(map(len, prompts), default=0) + settings.max_new_tokens, settings)
    for ids in prompts:
        answers.append("" if cancel.is_set() else fast.tokenizer.decode(reader.answer(ids, cancel), skip_special_tokens=True))
    return answers


def _generate(fast: FastModel, ids: list[int], settings: GenerationSettings, cancel: threading.Event) -> str:
    return fast.tokenizer.decode(_PrefixReader(fast, len(ids) + settings.max_new_tokens, settings).answer(ids, cancel),
                                 skip_special_tokens=True)


class _PrefixReader:
    """One generator that answers prompts in turn, re-reading only what differs from what it holds."""

    def __init__(self, fast: FastModel, max_length: int, settings: GenerationSettings):
        import onnxruntime_genai as og

        params = og.GeneratorParams(fast.model)
        params.set_search_options(**_search_options(settings, max_length))
        self.generator = og.Generator(fast.model, params)
        self.held: list[int] = []  # the tokens whose keys and values the generator holds
        self.max_new_tokens = settings.max_new_tokens

    def answer(self, ids: list[int], cancel: threading.Event) -> list[int]:
        shared = 0
        # Re-read at least the last two prompt tokens: one token alone takes the one-row kernels, whose int8
        # rounding differs slightly from the many-row ones a whole prompt goes through, and greedy answers
        # could then differ from one-by-one ones.
        for a, b in zip(self.held, ids[:-2]):
            if a != b:
                break
            shared += 1
        with step():
            if shared < len(self.held):
                self.generator.rewind_to(shared)
            self.generator.append_tokens([ids[shared:]])
        out: list[int] = []
        while len(out) < self.max_new_tokens and not cancel.is_set() and not self.generator.is_done():
            with step():
                self.generator.generate_next_token()
            out.append(int(self.generator.get_next_tokens()[0]))
        self.held = ids + out
        return out
