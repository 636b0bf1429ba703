"""Answers drawn into a page: streamed, taking turns with other sessions, problems shown as one message, and every
run kept in the session's take-home notebook with the prompt as the answering backend rendered it."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import asdict

import streamlit as st

from lib import backends, notebook
from lib.generation import GenerationSettings, GenerationStats, Messages
from lib.textsafe import escape_markdown
from lib.runtime.choice import generation_settings, sending_backend
from lib.runtime.shared import USER_ERRORS, request_turn, scheduler


def _people_note(note) -> None:
    others = scheduler().people - 1
    if others > 0:
        note.caption(f"Answering {others + 1} people right now: their answers share the CPU, so yours "
                     "streams more slowly than when you are alone.")
    else:
        note.empty()


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
        with request_turn(cancel, note):
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
    with _shown_as_message(note), request_turn(None, note) as request, request.step():
        note.empty()
        return fn(*args, **kwargs)


def run_in_turns(fn, *args, **kwargs):
    """Run work whose model calls take their own turns (an evaluation on the fast engine): other sessions'
    answers interleave with it instead of waiting for its end. User errors as in `run_queued`."""
    note = st.empty()
    with _shown_as_message(note), request_turn(None, note):
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
