"""Every answer in the lab comes from a backend, behind one interface.

    >>> chosen = bundled()                                   # or LocalBackend(gemma), server.backend("viggo"), …
    >>> chosen.render_prompt(messages)                       # the exact text the model reads
    >>> stream = chosen.stream(messages, settings, cancel)   # text pieces; stream.stats counts tokens
    >>> chosen.answer_all(conversations, settings)           # many answers (batched where the engine batches)
    >>> chosen.score_options(conversations, ["yes", "no"])   # log P(option | prompt); NotOnThisBackend if it can't

- `LocalBackend`: a transformers model in this process — the bundled SmolLM2 in float32 (the reference the fast
  engine is measured against), the pretrained Gemma 3 270M, or any Hugging Face model id once it has been fetched
  through `huggingface-hub`.
- `FastBackend`: the bundled SmolLM2 on onnxruntime, running the GGUF's own 4-bit blocks in one batch shared by
  every session (the default; `bench/run.py` measures its speed and accuracy against the others).
- `AdapterBackend`: one LoRA adapter (or its base model) in a `lora_serving.LoraServer`, chosen per call.
- `OpenAIBackend`: any OpenAI-compatible server (Ollama, vLLM, llama.cpp server) through LangChain's
  `ChatOpenAI(base_url=...)`; the way a workshop outgrows one laptop.

How a backend renders a prompt and where its answers stop live in its class and nowhere else, so the X-ray, the
token counts, the notebook's "prompt as sent" and the model's input cannot disagree. A local model reads one of
three prompt styles: its chat template; for a pretrained-only model (no template), the instruction, shots and
question as plain `Input: … Output:` text, answered up to the end of the line (it would go on with a made-up next
"Input:"); or, to show what pretraining alone does, the user's bare text to continue.
What this leaves out: model loading details (see `models.py`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Protocol

from lib import fast_engine, generation, servers
from lib.generation import GenerationSettings, GenerationStats, Messages
from lib.scheduler import pass_turn, step


class BackendUnavailable(RuntimeError):
    """The chosen backend can't be reached or loaded; the message says what to do."""


class NotOnThisBackend(BackendUnavailable):
    """The backend cannot do what was asked (e.g. score options); the message names what can."""


# A local model's prompt styles, named as stored results name them ("prompt_format").
CHAT, INPUT_OUTPUT, CONTINUE = "chat template", "plain text (Input: … Output: …)", "bare text to continue"
REFERENCE = "reference: float32, PyTorch"
BASE_ADAPTER = "__base__"  # peft's name for "no adapter" in adapter_names


class Backend(Protocol):
    name: str
    engine: str  # how it runs, as the notebook and stored results name it
    exact_tokens: bool  # False when token counts are an estimate (remote tokenizer unknown)
    context_window: int
    can_score: bool  # whether score_options works here

    def render_prompt(self, messages: Messages) -> str: ...

    def count_tokens(self, text: str) -> int: ...

    def stream(self, messages: Messages, settings: GenerationSettings, cancel: threading.Event | None = None): ...

    def answer_all(self, conversations: list[Messages], settings: GenerationSettings) -> list[str]: ...

    def score_options(self, conversations: list[Messages], options: list[str]) -> list[list[float]]: ...


class LocalBackend:
    """A transformers model in this process."""

    exact_tokens = True
    can_score = True

    def __init__(self, loaded, engine: str = REFERENCE, style: str | None = None, name: str | None = None):
        self.loaded = loaded
        self.name = name or loaded.name
        self.context_window = loaded.context_window
        self.engine = engine
        # Only CONTINUE is ever asked for; the other two follow from whether the model has a chat template.
        self.style = style or (CHAT if loaded.tokenizer.chat_template else INPUT_OUTPUT)

    @property
    def tokenizer(self):
        return self.loaded.tokenizer

    def render_prompt(self, messages: Messages) -> str:
        if self.style == CONTINUE:
            return (self.tokenizer.bos_token or "") + messages[-1]["content"]
        return generation.render_prompt(self.tokenizer, messages)  # the template, or BOS and Input/Output text

    def count_tokens(self, text: str) -> int:
        return generation.count_tokens(self.tokenizer, text)

    @property
    def _stop(self) -> str | None:
        """Where an answer ends besides the end-of-text token: a pretrained model reading Input/Output text would go
        on after its answer's line with a made-up next "Input:"."""
        return "\n" if self.style == INPUT_OUTPUT else None

    def _per_call(self) -> dict:
        """Extra generate() arguments for one call (an adapter's name, in AdapterBackend)."""
        return {}

    def _holding(self):
        """Held for the length of a call (AdapterBackend: its server's lock)."""
        return contextlib.nullcontext()

    def stream(self, messages: Messages, settings: GenerationSettings, cancel: threading.Event | None = None):
        extra = {key: [value] for key, value in self._per_call().items()}
        if self._stop:
            extra |= {"stop_strings": [self._stop], "tokenizer": self.tokenizer}
        return generation.Stream(self.loaded, self.render_prompt(messages), settings, cancel or threading.Event(), extra,
                                 self._holding())

    def answer_all(self, conversations: list[Messages], settings: GenerationSettings) -> list[str]:
        with self._holding(), step():  # handed on between tokens while others wait (generation.between_tokens)
            texts = generation.complete_batch(self.loaded, [self.render_prompt(m) for m in conversations], settings,
                                              stop=self._stop, per_row=self._per_call())
        return [text.split(self._stop)[0].strip() if self._stop else text for text in texts]

    def score_options(self, conversations: list[Messages], options: list[str]) -> list[list[float]]:
        from lib import option_scoring

        # After "Output:" an option follows a space; in a chat template it opens the assistant's turn.
        written = [option if self.style == CHAT else " " + option for option in options]
        scores = []
        with self._holding(), step():
            for messages in conversations:
                scores.append(option_scoring.option_logprobs(self.loaded, self.render_prompt(messages), written,
                                                             self._per_call()))
                pass_turn()  # other sessions' steps run between two questions
        return scores


class AdapterBackend(LocalBackend):
    """One adapter of a LoRA server (or its base model, adapter None), named per call with peft's `adapter_names`;
    every call holds the server's lock (see lora_serving.py for why)."""

    def __init__(self, server, adapter: str | None, to_the_end: bool = False):
        super().__init__(server.loaded, name=f"{server.base_name} + LoRA '{adapter}'" if adapter else server.base_name)
        self.server, self.adapter = server, adapter
        self.engine = REFERENCE + (", LoRA adapter" if adapter else "")
        self.to_the_end = to_the_end  # the base model not cut at its first line break (lib.sft measures that)

    def _per_call(self) -> dict:
        return {"adapter_names": self.adapter or BASE_ADAPTER}

    @property
    def _stop(self) -> str | None:
        # An adapter learned where its answer ends (its training pairs end with the end-of-text token), and some
        # answers it learned take two lines (the read-and-answer adapter's); its base model stops as any other.
        return None if self.adapter or self.to_the_end else super()._stop

    def _holding(self):
        return self.server.holding()

    def answer_all(self, conversations: list[Messages], settings: GenerationSettings) -> list[str]:
        # Stripped: the LoRA evaluations (and their stored rows) compare answers without their surrounding blanks.
        return [text.strip() for text in super().answer_all(conversations, settings)]


class FastBackend(LocalBackend):
    """The bundled model on the fast engine; prompts and token counts come from the same tokenizer. Options are
    scored by `scorer()`, the same weights in PyTorch (the fast engine returns tokens, not probabilities)."""

    def __init__(self, fast: fast_engine.FastModel, scorer: Callable[[], LocalBackend] | None = None):
        super().__init__(fast, engine=fast.label, style=CHAT)
        self._scorer = scorer or (lambda: bundled("reference"))

    def stream(self, messages: Messages, settings: GenerationSettings, cancel: threading.Event | None = None):
        return fast_engine.stream_prompt(self.loaded, self.render_prompt(messages), settings, cancel)

    def answer_all(self, conversations: list[Messages], settings: GenerationSettings) -> list[str]:
        return fast_engine.complete_batch(self.loaded, [self.render_prompt(m) for m in conversations], settings)

    def score_options(self, conversations: list[Messages], options: list[str]) -> list[list[float]]:
        return self._scorer().score_options(conversations, options)


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
    """An OpenAI-compatible chat server (Ollama, vLLM, llama.cpp server, …). What it offers beyond chat (its LoRA
    adapters, option scoring) comes from `servers.probe`; `adapter` picks one of its adapters for every request."""

    exact_tokens = False

    def __init__(self, base_url: str, model: str, api_key: str = "", context_window: int = 8192,
                 offer: servers.Offer | None = None, adapter: str | None = None):
        self.base_url = base_url
        self.api_key = api_key or "not-needed"  # local servers ignore the key but the client wants one
        self.offer = offer or servers.Offer(servers.PLAIN, base_url)
        self.adapter = adapter
        sent, self._extra = self.offer.request_for(adapter)  # vLLM: the adapter's name; llama.cpp: a "lora" field
        self.model = sent or model
        self.name = f"{model}{f' + LoRA {adapter!r}' if adapter else ''} @ {base_url}"
        self.context_window = context_window
        self.engine = f"remote: {self.offer.kind}"
        self.can_score = self.offer.can_score

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
            extra_body=self._extra or None,
        )

    def stream(self, messages: Messages, settings: GenerationSettings, cancel: threading.Event | None = None):
        prompt_tokens = self.count_tokens(render_messages(messages))
        return RemoteStream(self._chat(settings), messages, prompt_tokens, cancel or threading.Event(), self.base_url)

    def answer_all(self, conversations: list[Messages], settings: GenerationSettings) -> list[str]:
        return ["".join(self.stream(m, settings, threading.Event())) for m in conversations]

    def render_prompt(self, messages: Messages) -> str:
        return render_messages(messages)

    def score_options(self, conversations: list[Messages], options: list[str]) -> list[list[float]]:
        if not self.can_score:
            raise NotOnThisBackend(f"The {self.offer.kind} at {self.base_url} cannot score options: it does not "
                                   "give the log-probability of each option after the prompt.")
        try:
            return [servers.prompt_logprobs(self.offer, self.model, m, options, self.api_key) for m in conversations]
        except Exception as error:  # network and protocol errors become one clear message
            raise BackendUnavailable(f"The server at {self.base_url} could not score the options: {error}") from error

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
