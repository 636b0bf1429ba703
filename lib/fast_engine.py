"""The fast engine: SmolLM2's own 4-bit weights run by onnxruntime, streamed, batched across sessions, cancellable.

    >>> fast = load()                                   # builds the model once (~15 s), then loads in ~0.3 s
    >>> stream = stream_prompt(fast, prompt, GenerationSettings())   # prompt: rendered by backends.FastBackend
    >>> "".join(stream); stream.stats.tokens_per_second

Why it is fast: decoding on a CPU is bound by how many bytes of weights it reads
per token: ~540 MB in float32, ~120 MB here (4-bit blocks with float scales; 8-bit output layer).
Why it is not lossy: it runs the very blocks the bundled GGUF ships (see
`onnx_build.py`) instead of re-quantizing de-quantized weights, with float32
activations. The "int8" build also quantizes activations (faster, and lossy).

The graph is the one onnxruntime-genai's builder writes (its `genai_config.json`
included), but we call it with onnxruntime directly: that lets every session's
answer decode in one shared batch (`batcher.py`), which onnxruntime-genai's
generator cannot join mid-way.

The prompt is tokenized by the same Hugging Face tokenizer as the reference
path, so the X-ray's prompt is token for token what this engine reads. A set
cancel event, or the reader leaving, takes the answer out of the batch before the next token.

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
from lib.batcher import Batcher, Decoder
from lib.generation import GenerationSettings, GenerationStats, check_fits
from lib.scheduler import current_owner

# activations → what the sidebar calls it. "exact" keeps the float32 path's accuracy; "int8" is faster and lossy.
LABELS = {"exact": "fast: 4-bit weights, onnxruntime (batched)", "int8": "fastest: 4-bit weights, int8 activations (lossy)"}


@dataclass(frozen=True)
class FastModel:
    name: str
    batcher: Batcher  # runs every answer; its onnxruntime session is shared by all sessions
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
    # The tokenizer class itself: AutoTokenizer would first import every model family's config (~2 s).
    from transformers import PreTrainedTokenizerFast

    started = time.perf_counter()
    folder = model_dir(activations)
    ensure_built(activations, progress)
    try:
        batcher, window = open_batcher(folder)
    except Exception as error:  # a truncated or edited cache: build it again rather than fail
        progress(f"The engine's cached model could not be loaded ({str(error)[:160]}); rebuilding it…")
        shutil.rmtree(folder, ignore_errors=True)
        ensure_built(activations, progress)
        batcher, window = open_batcher(folder)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(models.converted_dir()))
    return FastModel(models.BUNDLED_CHAT_NAME, batcher, tokenizer, time.perf_counter() - started, window,
                     LABELS[activations])


def open_batcher(folder: Path) -> tuple[Batcher, int]:
    """A batcher over the graph in `folder` (any graph onnxruntime-genai's builder wrote), and its context window."""
    import onnxruntime as ort

    config = json.loads((folder / "genai_config.json").read_text(encoding="utf-8"))["model"]
    options = ort.SessionOptions()
    options.intra_op_num_threads = models.cpu_threads()
    session = ort.InferenceSession(str(folder / config["decoder"]["filename"]), options,
                                   providers=["CPUExecutionProvider"])
    eos, decoder = config["eos_token_id"], config["decoder"]
    batcher = Batcher(Decoder(session, decoder["num_hidden_layers"], decoder["num_key_value_heads"],
                              decoder["head_size"]), set(eos if isinstance(eos, list) else [eos]))
    return batcher, int(config["context_length"])


def encode(fast: FastModel, prompt: str) -> list[int]:
    return fast.tokenizer(prompt, add_special_tokens=False)["input_ids"]


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
        row = self.fast.batcher.submit(self.ids, self.settings, current_owner(), self.cancel)
        text = _Detokenizer(self.fast.tokenizer)
        completed = False
        try:
            for token in row.tokens_as_they_come():
                self.stats.first_token_at = self.stats.first_token_at or time.perf_counter()
                self.stats.new_tokens += 1
                if piece := text.add(token):
                    yield piece
            if piece := text.rest():
                yield piece
            completed = True
            self.stats.new_tokens = row.made  # the end-of-turn token counts, as it did for the reference path
        finally:
            # Reached on normal end and when the reader goes away (rerun, closed tab, exception).
            self.stats.cancelled = not completed or self.cancel.is_set()
            self.cancel.set()
            self.stats.finished_at = time.perf_counter()


def stream_prompt(fast: FastModel, prompt: str, settings: GenerationSettings,
                  cancel: threading.Event | None = None) -> FastStream:
    """Start continuing `prompt`, text exactly as the model reads it (backends.FastBackend renders it)."""
    return FastStream(fast, prompt, settings, cancel or threading.Event())


def complete_batch(fast: FastModel, prompts: list[str], settings: GenerationSettings,
                   cancel: threading.Event | None = None) -> list[str]:
    """Continuations of many prompts (text as the model reads it), decoded side by side in the shared batch.

    Greedy answers equal one-by-one answers token for token (tests check it). An evaluation sends the same
    instruction and shots before every item, and the batch reads only what follows the part a prompt
    shares with the one before. Sampled answers each get their own seed (settings.seed + their index),
    so they differ from each other and are reproducible."""
    cancel = cancel or threading.Event()
    prompts = [encode(fast, prompt) for prompt in prompts]
    check_fits(max(map(len, prompts), default=0), settings.max_new_tokens, fast.context_window)
    owner = current_owner()
    rows = [fast.batcher.submit(ids, replace(settings, seed=settings.seed + i), owner, cancel)
            for i, ids in enumerate(prompts)]
    try:
        answers = []
        for row in rows:
            ids = list(row.tokens_as_they_come())
            answers.append("" if cancel.is_set() else fast.tokenizer.decode(ids, skip_special_tokens=True))
        return answers
    finally:
        for row in rows:
            row.stop.set()
