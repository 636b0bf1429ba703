"""What every session shares, once per server process: the models (`st.cache_resource`: loaded once, only read while
generating), the CPU's scheduler, the training queue, the sample documents' index. Nothing per user lives here."""

from __future__ import annotations

import os
import threading
import time
import uuid

import streamlit as st

from lib import backends, fast_engine, models
from lib.generation import PromptTooLong
from lib.scheduler import POLICIES, Scheduler
from lib.work_queue import QueueFull, WorkQueue


USER_ERRORS = (PromptTooLong, QueueFull, backends.BackendUnavailable, models.ModelNotInstalled, InterruptedError)


@st.cache_resource(show_spinner=False)
def scheduler() -> Scheduler:
    # LLM_LAB_POLICY=whole_requests gives each request the CPU from start to end (bench/workshop.py compares).
    return Scheduler(max_requests=64, policy=POLICIES[os.environ.get("LLM_LAB_POLICY", "turns")])


def owner() -> str:
    """This browser session's name in the scheduler (turns go round sessions, not requests)."""
    if "_owner" not in st.session_state:
        st.session_state._owner = uuid.uuid4().hex
    return st.session_state._owner


def _connected():
    """A check that this session's browser is still connected, callable from any thread (always true in AppTest)."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return lambda: True
    runtime_, session = Runtime.instance(), ctx.session_id
    return lambda: runtime_.is_active_session(session)


def request_turn(cancel: threading.Event | None, note):
    """This session's request on the shared scheduler; it ends at its next turn once the browser has gone."""
    return scheduler().request(owner(), cancel, on_wait=_waiting_note(note), still_wanted=_connected())


def _waiting_note(note):
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    def show(ahead: int) -> None:
        # Only the page's own thread can draw; a helper thread waiting for a turn (a PyTorch stream's) cannot.
        if get_script_run_ctx(suppress_warning=True) is not None:
            note.info(f"⏳ Waiting for a turn: {ahead} session(s) ahead of yours…")
    return show


@st.cache_resource(show_spinner=False)
def _bundled_model() -> models.LoadedModel:
    import torch

    torch.set_num_threads(models.cpu_threads())
    return models.load_chat_model()


def _first_use(label: str, done: bool, convert) -> None:
    """Show a one-time model conversion as it happens.

    Outside the cached loaders on purpose: their st.* calls would be recorded and replayed on every later hit."""
    if done:
        return
    with st.status(f"Preparing {label} for first use (one time)…", expanded=True) as status:
        seconds = convert(progress=status.write)
        status.update(label=f"{label} prepared in {seconds:.0f} s", state="complete", expanded=False)


def bundled_model() -> models.LoadedModel:
    """The bundled chat model; the first call ever shows the one-time conversion (about 20 s)."""
    _first_use("SmolLM2", models.is_converted(), models.ensure_converted)
    return _bundled_model()


@st.cache_resource(show_spinner=False)
def _fast_model(activations: str) -> fast_engine.FastModel:
    fast, shared = fast_engine.load(activations), scheduler()
    if shared.policy.batch_rows:  # whole requests: the batch answers the one request that holds the CPU
        fast.batcher.max_rows = shared.policy.batch_rows
    else:  # the batch is one piece of work on the shared CPU, taking turns with other pages' PyTorch work
        fast.batcher.busy = lambda: shared.request(owner="", weight=lambda: fast.batcher.sessions)
    return fast


def fast_model(activations: str = "exact") -> fast_engine.FastModel:
    """The bundled model on the fast engine; the first call ever shows its one-time build (~15 s)."""
    _first_use("the fast engine", fast_engine.is_built(activations),
               lambda progress: fast_engine.ensure_built(activations, progress))
    return _fast_model(activations)


@st.cache_resource(show_spinner=False)
def _pretrained_base() -> models.LoadedModel:
    return models.load_pretrained_base()


def pretrained_base() -> models.LoadedModel:
    """Gemma 3 270M before instruction tuning (SFT page); the first call ever shows its conversion (1–2 min)."""
    _first_use("Gemma 3 270M (base)", models.is_base_converted(), models.ensure_base_converted)
    return _pretrained_base()


@st.cache_resource(show_spinner=False)
def embeddings():
    return models.load_embeddings()


@st.cache_resource(show_spinner="Loading the Hugging Face model…")
def hf_backend(model_id: str) -> backends.LocalBackend:

    started = time.perf_counter()
    model, tokenizer = models.load_causal_lm(backends.resolve_hf_model(model_id))
    loaded = models.LoadedModel(model_id, model, tokenizer, time.perf_counter() - started, False)
    return backends.LocalBackend(loaded)


@st.cache_resource(show_spinner=False)
def start_warm_ups() -> threading.Thread:
    """Once per server process: compile UMAP's numba kernels in the background so no user waits for them."""
    from lib import projection

    def warm_up() -> None:
        # UMAP imports scipy, which looks at torch in sys.modules; while a page's thread is still importing torch,
        # it finds half a module and the warm-up dies ("partially initialized module 'torch'"). Importing torch
        # here first waits for that import to finish.
        import torch  # noqa: F401

        projection.warm_up()

    thread = threading.Thread(target=warm_up, name="umap-warm-up", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner="Loading the LoRA adapters…")
def lora_server(base_model: str = ""):
    """The LoRA server of one base model ("" = the bundled chat model), holding the bundled adapters trained on it;
    the chat model's also holds every session's own adapters (they are trained on it)."""
    from lib import lora_serving

    if not base_model:
        bundled_model()  # makes sure the converted weights exist (shows the one-time conversion if not)
    return lora_serving.server_of(base_model)


def server_for(adapter: str):
    """The LoRA server that holds `adapter` (a bundled adapter's name, or a session's own)."""
    from lib import lora

    path = lora.SERVED.get(adapter)
    return lora_server(lora.base_model_of(path) if path else "")


@st.cache_resource(show_spinner=False)
def training_queue() -> WorkQueue:
    # One training run at a time per server; it runs in its own process and pauses while others are answered.
    return WorkQueue(workers=1, max_waiting=30)


@st.cache_resource(show_spinner="Indexing the sample documents…")
def sample_index():
    """The sample documents' FAISS index (128-token chunks), shared read-only by every session."""
    from lib import rag

    return rag.index_of(rag.SAMPLE_DOCS, embeddings())
