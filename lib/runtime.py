"""The one Streamlit-aware module in lib/: process-wide caches, the shared queue, per-session settings.

Models load once per process (`st.cache_resource`) and are only read while
generating, so every session can share them. Per-user data never lives here:
it lives in `st.session_state`. Every heavy call takes turns on `scheduler()`.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict

import streamlit as st

from lib import backends, fast_engine, models, notebook
from lib import settings as lab_settings
from lib.generation import GenerationSettings, GenerationStats, Messages, PromptTooLong
from lib.scheduler import Scheduler
from lib.textsafe import escape_markdown
from lib.work_queue import QueueFull, WorkQueue

USER_ERRORS = (PromptTooLong, QueueFull, backends.BackendUnavailable, models.ModelNotInstalled, InterruptedError)


@st.cache_resource(show_spinner=False)
def scheduler() -> Scheduler:
    # LLM_LAB_ONE_AT_A_TIME=1 gives each request the CPU from start to end (bench/workshop.py compares the two).
    return Scheduler(max_requests=64, one_at_a_time=os.environ.get("LLM_LAB_ONE_AT_A_TIME") == "1")


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


def _request(cancel: threading.Event | None, note):
    """This session's request on the shared scheduler; it ends at its next turn once the browser has gone."""
    return scheduler().request(owner(), cancel, on_wait=_waiting_note(note), still_wanted=_connected())


def _waiting_note(note):
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    def show(ahead: int) -> None:
        # Only the page's own thread can draw; a helper thread waiting for a turn (a PyTorch stream's) cannot.
        if get_script_run_ctx(suppress_warning=True) is not None:
            note.info(f"⏳ Waiting for a turn: {ahead} session(s) ahead of yours…")
    return show


def _people_note(note) -> None:
    others = scheduler().people - 1
    if others > 0:
        note.caption(f"Answering {others + 1} people right now: their answers share the CPU, so yours "
                     "streams more slowly than when you are alone.")
    else:
        note.empty()


@st.cache_resource(show_spinner=False)
def _bundled_model() -> models.LoadedModel:
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
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
    if shared.one_at_a_time:  # the old way, kept for the benchmark's comparison: one answer at a time
        fast.batcher.max_rows = 1
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
def _hf_backend(model_id: str) -> backends.LocalBackend:
    import time

    started = time.perf_counter()
    model, tokenizer = models.load_causal_lm(backends.resolve_hf_model(model_id))
    loaded = models.LoadedModel(model_id, model, tokenizer, time.perf_counter() - started, False)
    return backends.LocalBackend(loaded)


def settings() -> dict[str, object]:
    """This session's sidebar settings (defaults where the sidebar has not run, e.g. a page tested alone)."""
    values = lab_settings.defaults()
    values.update({k: st.session_state[k] for k in values if k in st.session_state})
    return values


def generation_settings() -> GenerationSettings:
    s = settings()
    return GenerationSettings(
        max_new_tokens=int(s["max_new_tokens"]),
        temperature=float(s["temperature"]),
        top_p=float(s["top_p"]),
        seed=int(s["seed"]),
    )


def backend() -> backends.Backend:
    """The backend chosen in the sidebar. Raises BackendUnavailable with a readable reason."""
    s = settings()
    if s["backend"] == "hf":
        return _hf_backend(str(s["hf_model"]).strip())
    if s["backend"] == "openai":
        api_key = st.session_state.get("server_api_key", "")
        return backends.OpenAIBackend(str(s["server_url"]).strip(), str(s["server_model"]).strip(), api_key)
    return bundled_backend()


def shown_backend() -> backends.Backend:
    """The sidebar's backend, for showing a prompt and counting its tokens before anything is sent. When it
    cannot be reached (a model not in the local cache, say), the page says so and shows the bundled model's."""
    try:
        return backend()
    except USER_ERRORS as error:
        st.warning(f"The backend chosen in the sidebar is unavailable, so this panel shows the bundled model's "
                   f"prompt and token counts instead. {escape_markdown(str(error))}")
        return bundled_backend()


def sending_backend() -> backends.Backend:
    """The sidebar's backend, for sending prompts: refused while a server a link chose is unconfirmed."""
    if settings()["backend"] == "openai" and server_unconfirmed():
        raise backends.BackendUnavailable(
            "The link you opened chose the server this page would send your prompts to. Check its address "
            "in the sidebar and press 'Send my prompts to this server' first, or pick another backend.")
    return backend()


def server_unconfirmed() -> bool:
    """True while the server address is the one a link set and nobody at this page has confirmed it (a typed
    address counts as chosen)."""
    link = st.session_state.get("unconfirmed_server")
    return link is not None and str(settings()["server_url"]) == link


def bundled_backend() -> backends.LocalBackend:
    """The bundled model on the sidebar's engine, whatever the backend (pages that set it beside its adapters).
    On the fast engine, options are scored by the shared PyTorch copy of the same weights."""
    engine = settings()["engine"]
    if engine == "reference":
        return backends.LocalBackend(bundled_model())
    return backends.FastBackend(fast_model(backends.ACTIVATIONS[engine]),
                                scorer=lambda: backends.LocalBackend(bundled_model()))


def pretrained_backend(style: str | None = None) -> backends.LocalBackend:
    """The pretrained-only Gemma 3 270M: reading Input/Output text, or (style backends.CONTINUE) the bare text."""
    return backends.LocalBackend(pretrained_base(), style=style)


def adapter_backend(adapter: str | None, of: str | None = None) -> backends.AdapterBackend:
    """An adapter (a bundled one's name, or a session's own) in the shared LoRA server that holds it; with adapter
    None, the base model of the server holding adapter `of`."""
    server = server_for(adapter or of)
    return server.backend(adapter)


def _collect(stream, pieces: list[str], on_first, every_s=lambda: 0.1):
    """The stream's pieces, kept in `pieces`, sent on joined at most every `every_s()` seconds.

    The browser redraws the whole answer for each chunk it receives; with a dozen sessions streaming at once,
    a redraw per token costs the server and the browsers more CPU than the model does."""
    waiting, sent = [], time.monotonic()
    for piece in stream:
        if not pieces:
            on_first()
        pieces.append(piece)
        waiting.append(piece)
        if time.monotonic() - sent >= every_s():
            yield "".join(waiting)
            waiting, sent = [], time.monotonic()
    if waiting:
        yield "".join(waiting)


def _redraw_every() -> float:
    """Seconds between two redraws of a streaming answer: 0.1 alone, longer the more people are answered at once,
    so the redraws (the server's messages and the browsers' rendering) stay about ten a second in all."""
    return min(1.0, 0.1 * max(1, scheduler().people))


MAX_MESSAGE_CHARS = 20_000  # one message; longer ones are refused with a message, never sent


def stream_answer(messages: Messages, max_chars: int = MAX_MESSAGE_CHARS, backend: backends.Backend | None = None,
                  settings: GenerationSettings | None = None, source: str = "") -> tuple[str, GenerationStats] | None:
    """Stream an answer into the page, taking turns with other sessions. Problems become one clear message.

    `backend` answers (default: the sidebar's), with `settings` (default: the sidebar's). Every stream takes its
    own CPU turns (a PyTorch stream's thread one token at a time, the fast engine's batch one step at a time) or
    none (a remote server), so it is read without holding one. A finished answer goes into the session's notebook
    with the prompt exactly as that backend rendered it; `source` names the answer there.
    """
    too_long = next((m for m in messages if len(m["content"]) > max_chars), None)
    if too_long is not None:
        st.error(f"That message is {len(too_long['content']):,} characters; the limit here is {max_chars:,}. "
                 "Shorten it and try again.")
        return None
    cancel = threading.Event()
    note = st.empty()
    settings = settings or generation_settings()
    try:
        chosen = backend or sending_backend()
        with _request(cancel, note):
            others = scheduler().people - 1
            if others > 0:
                note.info(f"⏳ The CPU is answering {others} other session(s) too; yours starts as soon as it gets "
                          "a turn…")
            stream = chosen.stream(messages, settings, cancel)
            pieces: list[str] = []
            st.write_stream(escape_markdown(p) for p in _timed(_collect(stream, pieces, lambda: _people_note(note),
                                                                        _redraw_every), source, settings))
        note.empty()
        text, stats = "".join(pieces), stream.stats
        record_answers(chosen, f"Answer — {source}" if source else "Answer", [messages], [text], settings,
                       {"new tokens": stats.new_tokens, "first token after (s)": round(stats.ttft_s or 0, 2),
                        "tokens per second": round(stats.tokens_per_second, 1), "stopped early": stats.cancelled})
        return text, stats
    except USER_ERRORS as error:
        note.empty()
        st.error(escape_markdown(str(error)))  # may quote a server's reply or a model id
        return None
    finally:
        cancel.set()  # a rerun or a closed tab lands here too: the model stops at its next token


def record_answers(backend: backends.Backend, title: str, conversations: list[Messages], outputs: list[str],
                   settings: GenerationSettings | dict, measurements: dict | None = None) -> None:
    """Answers into the session's notebook, each prompt exactly as the backend that answered rendered it."""
    settings = asdict(settings) if isinstance(settings, GenerationSettings) else settings
    record(title, settings={"model": backend.name, "engine": backend.engine, **settings},
           prompts=[backend.render_prompt(m) for m in conversations], outputs=list(outputs),
           measurements=measurements or {})


def _timed(pieces, title: str, settings: GenerationSettings):
    """The pieces as they come; while a talk demo is recorded (lib.replays), each noted with its moment."""
    recording = st.session_state.get("replay_recording")
    if recording is None:
        yield from pieces
        return
    chunks: list = []
    recording.append({"title": title, "settings": asdict(settings), "chunks": chunks})
    started = st.session_state.get("replay_started", time.perf_counter())
    for piece in pieces:
        chunks.append([round(time.perf_counter() - started, 3), piece])
        yield piece


def session_notebook() -> notebook.Notebook:
    """This session's lab notebook (lib.notebook): the runs made here, for `record` and the download."""
    return st.session_state.setdefault("notebook", notebook.Notebook())


def record(title: str, **fields) -> None:
    """Add a run to this session's lab notebook, under the page it was made on."""
    session_notebook().add(notebook.Entry(page=st.session_state.get("notebook_page", ""), title=title,
                            at=time.strftime("%Y-%m-%d %H:%M:%S"), **fields))


def run_queued(fn, *args, **kwargs):
    """Run heavy work (embedding, a chart, PyTorch generation) as one turn on the shared CPU.

    A user error (server busy, backend unavailable, prompt too long) is shown as one message and the page stops there."""
    note = st.empty()
    with _shown_as_message(note), _request(None, note) as request, request.step():
        note.empty()
        return fn(*args, **kwargs)


def run_in_turns(fn, *args, **kwargs):
    """Run work whose model calls take their own turns (an evaluation on the fast engine): other sessions'
    answers interleave with it instead of waiting for its end. User errors as in `run_queued`."""
    note = st.empty()
    with _shown_as_message(note), _request(None, note):
        try:
            return fn(*args, **kwargs)
        finally:
            note.empty()


@contextmanager
def _shown_as_message(note):
    try:
        yield
    except USER_ERRORS as error:
        note.error(escape_markdown(str(error)))
        st.stop()


def backend_for(model: str, method: str = "generate") -> backends.Backend:
    """The backend for the prompting pages' model choice (prompting.MODELS): the sidebar's for the chat model, the
    pretrained Gemma for the base model. Option scoring needs a backend that reads probabilities; where the
    sidebar's cannot, the page says so and the bundled model scores."""
    if model == "base":
        return pretrained_backend()
    chosen = sending_backend()
    if method == "options" and not chosen.can_score:
        st.info(f"{escape_markdown(chosen.name)} cannot score options (it does not give each label's "
                "log-probability), so the bundled model scores them here.")
        return bundled_backend()
    return chosen


def engine_name() -> str:
    """The engine a measurement here runs on, as the stored results name theirs (settings.ENGINES, or the backend)."""
    s = settings()
    return str(s["engine"]) if s["backend"] == "bundled" else str(s["backend"])


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


def session_adapters():
    """This session's own adapters (unloaded and deleted when the session ends)."""
    from lib import lora_serving

    if "lora_session" not in st.session_state:
        st.session_state.lora_session = lora_serving.SessionAdapters(lora_server())
    return st.session_state.lora_session


def adapter_choices() -> dict[str, str]:
    """Display name → adapter name in the server: the bundled ones, then this session's."""
    from lib import lora

    return {name: name for name in lora.BUNDLED} | session_adapters().adapters


@st.cache_resource(show_spinner="Indexing the sample documents…")
def sample_index():
    """The sample documents' FAISS index (128-token chunks), shared read-only by every session."""
    from lib import rag

    return rag.index_of(rag.SAMPLE_DOCS, embeddings())
