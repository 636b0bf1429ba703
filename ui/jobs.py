"""A training run on a page: its start button and the panel that follows it (both training pages use these).

    >>> jobs.start_button("tr", lambda queue, **options: BackgroundJob(..., queue, **options))
    >>> jobs.progress_panel("tr", idle="Press Start…", draw=lambda job: ..., on_done=lambda job: ...)

Session keys: PREFIX_job (the run), PREFIX_settled (its end has been handled), PREFIX_start, PREFIX_cancel.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lib import runtime
from lib.textsafe import escape_markdown

TRAINING_GRACE_S = 30.0  # a run no page has shown for this long is cancelled, freeing the trainer
POLL_S = 2.0  # the panel's redraw: each one costs the server and the browser CPU the training could use


def start_button(prefix: str, make_job: Callable) -> None:
    """Start one run for this session (one at a time per server); it pauses while others are answered."""
    job = st.session_state.get(f"{prefix}_job")
    if st.button("Start training", type="primary", key=f"{prefix}_start", disabled=bool(job and not job.finished)):
        busy = runtime.scheduler()
        # Paused between two steps whenever a session is being answered: two cores can't do both at full speed.
        st.session_state[f"{prefix}_job"] = make_job(runtime.training_queue(), pause_when=lambda: busy.people > 0,
                                                     grace_s=TRAINING_GRACE_S)
        st.session_state[f"{prefix}_settled"] = False
        st.rerun()  # draws the button disabled while the run lasts


def progress_panel(prefix: str, idle: str, draw: Callable, on_done: Callable = lambda job: None) -> None:
    """Polls the run every POLL_S while it is in flight; when it ends, `on_done(job)` once and the page reruns."""
    job = st.session_state.get(f"{prefix}_job")

    @st.fragment(run_every=POLL_S if job and not st.session_state.get(f"{prefix}_settled") else None)
    def panel():
        job = st.session_state.get(f"{prefix}_job")
        if job is None:
            st.info(idle)
            return
        _controls(job, f"{prefix}_cancel")
        draw(job)
        if job.state == "failed":
            st.error(f"Training failed: {escape_markdown(str(job.error))}")
        if job.finished and not st.session_state.get(f"{prefix}_settled"):
            if job.state == "done":
                on_done(job)
            st.session_state[f"{prefix}_settled"] = True
            st.rerun()  # the whole page, so polling stops

    panel()


def _controls(job, key: str) -> None:
    """The run's place in line, whether it is paused and why, and its cancel button; keeps the run alive."""
    job.seen()
    if job.state == "queued":
        st.info(f"⏳ Waiting for the trainer — {job.ahead} training run(s) ahead of yours.")
    if job.paused:
        st.info(f"⏸ Paused while {runtime.scheduler().people} session(s) get answers; it goes on when they are "
                "done, so nobody's chat waits for training.")
    if job.abandoned:
        st.warning(f"This run was cancelled: no page showed it for {TRAINING_GRACE_S:.0f} s, so it freed the trainer "
                   "for others. Start it again and keep this page open while it trains.")
    if not job.finished and st.button("Cancel training", key=key):
        job.cancel.set()
