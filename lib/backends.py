"""Where answers come from, behind one small interface.

- `FastBackend`: the bundled SmolLM2 on onnxruntime, running the GGUF's
  own 4-bit blocks in one batch shared by every session (the default; `bench/run.py` measures its speed and accuracy against the others).
- `LocalBackend`: a transformers model in this process — the bundled SmolLM2 in
  float32 (the reference the fast engine is measured against), or any Hugging
  Face model id once it has been fetched through `huggingface-hub`.
- `OpenAIBackend`: any OpenAI-compatible server (Ollama, vLLM, llama.cpp
  server) through LangChain's `ChatOpenAI(base_url=...)`; the way a workshop
  outgrows one laptop.

Each backend streams an answer for chat messages, answers many conversations at
once (`answer_all`, what evaluations use), and says how it counts tokens.
What this leaves out: model loading details (see `models.py`).
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Iterator
from typing import Protocol

from lib import fast_engine, generation
from lib.generation import GenerationSettings, GenerationStats, Messages
from lib.scheduler import step


class BackendUnavailable(RuntimeError):
    """The chosen backend can't be reached or loaded; the message says what to do."""


class Backend(Protocol):
    name: str
    exact_tokens: bool  # False when token counts are an estimate (remote tokenizer unknown)
    context_window: int

    def stream(self, messages: Messages, settings: GenerationSettings, cancel: threading.Event): ...

    def answer_all(self, conversations: list[Messages], settings: GenerationSettings) -> list[str]: ...

    def render_prompt(self, messages: Messages) -> str: ...

    def count_tokens(self, text: str) -> int: ...


class LocalBackend:
    """A transformers model in this process."""

    exact_tokens = True

    def __init__(self, loaded):
        self.loaded = loaded
        self.name = loaded.name
        self.context_window = loaded.context_window
        self.engine = "reference: float32, PyTorch"

    def stream(self, messages: Messages, settings: GenerationSettings, cancel: threading.Event):
        return generation.stream_chat(self.loaded, messages, settings, cancel)

    def answer_all(self, conversations: list[Messages], settings: GenerationSettings) -> list[str]:
        with step():  # handed on between tokens while others wait (generation.between_tokens)
            return generation.generate_batch(self.loaded, conversations, settings)

    def render_prompt(self, messages: Messages) -> str:
        return generation.render_prompt(self.loaded.tokenizer, messages)

    def count_tokens(self, text: str) -> int:
        return generation.count_tokens(self.loaded.tokenizer, text)


class FastBackend(LocalBackend):
    """The bundled model on the fast engine; prompts and token counts come from the same tokenizer."""

    def __init__(self, fast: fast_engine.FastModel):
        self.loaded = fast
        self.name = fast.name
        self.context_window = fast.context_window
        self.engine = fast.label

    def stream(self, messages: Messages, settings: GenerationSettings, cancel: threading.Event):
        return fast_engine.stream_chat(self.loaded, messages, settings, cancel)

    def answer_all(self, conversations: list[Messages], settings: GenerationSettings) -> list[str]:
        return fast_engine.generate_batch(self.loaded, conversations, settings)


class RemoteStream:
    """Text pieces from a server, with the same `stats` and cancel behaviour as a local stream."""

    def __init__(self, chat, messages: Messages, prompt_tokens: int, cancel: threading.Event, url: str = ""):
        self.url = url  # named in the error, so a room of attendees knows which server to check
        self.prompt = render_messages(messages)
        self.cancel = cancel
        self.stats = GenerationStats(prompt_tokens=prompt_tokens)
        self._chunks = chat.stream([(m["role"], m["content"]) for m in messages])

    def __iter__(self) -> Iterator[str]:
        try:
            for chunk in self._chunks:
                if self.cancel.is_set():
                    self.stats.cancelled = True
                    break
                text = chunk.content if isinstance(chunk.content, str) else ""
                if text:
                    self.stats.first_token_at = self.stats.first_token_at or time.perf_counter()
                    self.stats.new_tokens += 1  # servers stream about one token per chunk
                    yield text
        except Exception as error:  # network errors surface as one clear message
            where = f" at {self.url}" if self.url else ""
            raise BackendUnavailable(f"The server{where} stopped answering: {error}") from error
        finally:
            self.stats.finished_at = time.perf_counter()
            close = getattr(self._chunks, "close", None)
            if close:
                close()


class OpenAIBackend:
    """An OpenAI-compatible chat server (Ollama, vLLM, llama.cpp server, …)."""

    exact_tokens = False

    def __init__(self, base_url: str, model: str, api_key: str = "", context_window: int = 8192):
        self.base_url = base_url
        self.model = model
        self.api_key = api_key or "not-needed"  # local servers ignore the key but the client wants one
        self.name = f"{model} @ {base_url}"
        self.context_window = context_window
        self.engine = "remote server"

    def _chat(self, settings: GenerationSettings):
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            base_url=self.base_url,
            model=self.model,
            api_key=self.api_key,
            temperature=settings.temperature,
            top_p=settings.top_p,
            max_tokens=settings.max_new_tokens,
            seed=settings.seed,
            timeout=60,
            max_retries=0,
        )

    def stream(self, messages: Messages, settings: GenerationSettings, cancel: threading.Event):
        prompt_tokens = self.count_tokens(render_messages(messages))
        return RemoteStream(self._chat(settings), messages, prompt_tokens, cancel, self.base_url)

    def answer_all(self, conversations: list[Messages], settings: GenerationSettings) -> list[str]:
        return ["".join(self.stream(m, settings, threading.Event())) for m in conversations]

    def render_prompt(self, messages: Messages) -> str:
        return render_messages(messages)

    def count_tokens(self, text: str) -> int:
        # The server's tokenizer is unknown here; ~4 characters a token is the usual English estimate.
        return max(1, len(text) // 4)


ACTIVATIONS = {"fast": "exact", "fastest": "int8"}  # engine setting → the fast engine's build


@functools.cache
def bundled(engine: str = "fast") -> LocalBackend:
    """The bundled model on the named engine (settings.ENGINES), loaded once per process: for the CLIs and the
    benchmark, several of which can run in one process (`make results`, the tests); the app caches its own."""
    from lib import models

    if engine == "reference":
        return LocalBackend(models.load_chat_model())
    return FastBackend(fast_engine.load(ACTIVATIONS[engine]))


def render_messages(messages: Messages) -> str:
    """A readable rendering of what is sent to a server (which applies its own chat template)."""
    return "\n".join(f"[{m['role']}]\n{m['content']}" for m in messages)


def online_allowed() -> bool:
    """Downloads are off unless the lab was started with LLM_LAB_ONLINE=1."""
    return os.environ.get("LLM_LAB_ONLINE") == "1"


def resolve_hf_model(model_id: str) -> str:
    """A local folder for a Hugging Face model id: from the local cache, or downloaded when online is allowed."""
    from huggingface_hub import snapshot_download

    patterns = ["*.json", "*.safetensors", "*.jinja", "*.txt", "*.model", "tokenizer*"]
    try:
        return snapshot_download(model_id, allow_patterns=patterns, local_files_only=not online_allowed())
    except Exception as error:
        if not online_allowed():
            raise BackendUnavailable(
                f"'{model_id}' is not in the local Hugging Face cache and the lab runs offline. "
                "Start it with LLM_LAB_ONLINE=1 (and a network) to download it, or use the bundled model."
            ) from error
        raise BackendUnavailable(f"Could not fetch '{model_id}' from the Hugging Face Hub: {error}") from error
