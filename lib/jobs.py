"""A training run in its own process, waiting its turn on a queue, reporting progress, pausing for chats.

    >>> job = BackgroundJob(tinylm.train, (config, text), queue, pause_when=lambda: scheduler.people > 0)
    >>> job.state, job.losses, job.samples, job.paused      # a page polls these (and calls job.seen())
    >>> job.cancel.set()

`work(*args, on_step, cancel)` must be a module-level function (it is sent to the
child process), call `on_step(step, loss, sample_or_None)` after every step, stop
soon after `cancel` is set, and return a picklable log with a `cancelled` flag.

Why a process and not a thread: a training step is hundreds of small torch calls,
and each one must take back Python's global lock when it returns. In the server's
process that lock is also wanted by every page redraw and every answer being
streamed; measured here, a training thread beside one busy Python thread made 7
steps where it made 44 alone. A child process has a lock of its own.

Why pauses: the server has two cores. While someone waits for an answer, the run
holds still between two steps (`pause_when()` is checked every 0.1 s), or before
it starts, so a chat stays as quick as without training; the page says so.

A run nobody watches is cancelled: the page calls `seen()` on each poll, and a
run not seen for `grace_s` (tab closed, page left) frees the trainer for others.
A cancel is prompt: the child stops at its next step, and is ended if it has not
within `KILL_AFTER_S` (it may be starting up: importing torch takes seconds).
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import sys
import threading
import time
import types
from collections.abc import Callable

from lib.work_queue import WorkQueue

KILL_AFTER_S = 2.0
POLL_S = 0.1


def _child(work: Callable, args: tuple, events, cancel, pause) -> None:
    """Runs in the training process: forwards each step to the server and holds still while paused."""
    # Starting (importing torch, loading a model) takes the CPU for seconds, longer on a busy machine: it waits
    # too. Measured in the workshop benchmark: a LoRA run starting beside 13 chats took half a core for 40 s.
    while pause.is_set() and not cancel.is_set():
        time.sleep(POLL_S)

    # OpenMP's threads spin while they wait for each other (its default). Beside another busy process that
    # costs: the tiny model made 8 steps/s spinning and 16 sleeping (OMP_WAIT_POLICY=PASSIVE). But a run here
    # pauses whenever anyone is being answered, so it trains on an otherwise quiet CPU, where spinning made
    # 28 steps/s and sleeping 20; in the app, sleeping made 0.61-0.74x the same call alone, spinning 1.15x.
    import torch

    from lib import models

    torch.set_num_threads(models.cpu_threads())

    def on_step(step: int, loss: float, sample: str | None) -> None:
        events.put(("step", step, loss, sample))
        while pause.is_set() and not cancel.is_set():
            time.sleep(0.02)

    try:
        events.put(("done", work(*args, on_step, cancel)))
    except BaseException as error:  # noqa: BLE001 - reported to the page as a message
        events.put(("failed", f"{type(error).__name__}: {error}"))


_start_lock = threading.Lock()


def _start_without_main(child) -> None:
    """Start a spawned process without re-running the caller's __main__ in it.

    spawn runs the parent's __main__ module again in the child, and inside Streamlit __main__ is the page
    script being run: the child ran the whole app (and its UMAP warm-up, compiling for a minute) beside
    the training, which then made a third of its steps. A bare __main__ for the moment of the start avoids it."""
    with _start_lock:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            child.start()
        finally:
            sys.modules["__main__"] = main


class BackgroundJob:
    def __init__(self, work: Callable, args: tuple, queue: WorkQueue, name: str = "job",
                 pause_when: Callable[[], bool] = lambda: False, grace_s: float | None = None):
        self.args = args  # what it was started with, for the page that reports it
        self.cancel = threading.Event()
        self.state = "queued"  # queued → starting → running → done | cancelled | failed
        self.ahead = 0
        self.losses: list[float] = []
        self.samples: list[tuple[int, str]] = []
        self.error = ""
        self.log = None
        self.paused = False
        self.abandoned = False  # cancelled because no page had looked at it for grace_s
        self.grace_s, self._pause_when = grace_s, pause_when
        self._last_seen = time.monotonic()
        self._thread = threading.Thread(target=self._run, args=(work, args, queue), name=name, daemon=True)
        self._thread.start()

    def seen(self) -> None:
        """Someone is watching: keeps the run alive."""
        self._last_seen = time.monotonic()

    def _watch(self) -> None:
        if self.grace_s is not None and time.monotonic() - self._last_seen > self.grace_s and not self.cancel.is_set():
            self.abandoned = True
            self.cancel.set()

    def _run(self, work: Callable, args: tuple, queue: WorkQueue) -> None:
        def on_wait(ahead: int) -> None:
            self.ahead = ahead
            self._watch()

        try:
            with queue.ticket(on_wait=on_wait, cancel=self.cancel, poll_s=POLL_S):
                self.state = "starting"
                self._supervise(work, args)
        except InterruptedError:
            self.state = "cancelled"
        except Exception as error:  # surfaced on the page as a message, not a dead thread
            self.state, self.error = "failed", f"{type(error).__name__}: {error}"

    def _supervise(self, work: Callable, args: tuple) -> None:
        # spawn, not fork: forking a server that runs threads (and onnxruntime's pools) can deadlock the child.
        ctx = multiprocessing.get_context("spawn")
        events, cancel, pause = ctx.Queue(), ctx.Event(), ctx.Event()
        self.paused = bool(self._pause_when())
        (pause.set if self.paused else pause.clear)()
        child = ctx.Process(target=_child, args=(work, args, events, cancel, pause), daemon=True)
        _start_without_main(child)
        cancelled_at = None
        try:
            while True:
                self._watch()
                if self.cancel.is_set() and cancelled_at is None:
                    cancel.set()
                    cancelled_at = time.monotonic()
                self.paused = bool(self._pause_when()) and not self.cancel.is_set()
                (pause.set if self.paused else pause.clear)()
                try:
                    event = events.get(timeout=POLL_S)
                except queue_module.Empty:
                    if not child.is_alive() and events.empty():
                        raise RuntimeError(f"the training process stopped (exit code {child.exitcode})") from None
                    if cancelled_at is not None and time.monotonic() - cancelled_at > KILL_AFTER_S:
                        self.state = "cancelled"  # it did not stop at a step boundary in time: end it
                        return
                    continue
                if event[0] == "step":
                    self.state = "running"
                    self.losses.append(event[2])
                    if event[3] is not None:
                        self.samples.append((event[1], event[3]))
                elif event[0] == "done":
                    self.log = event[1]
                    self.state = "cancelled" if self.log.cancelled else "done"
                    return
                else:
                    self.state, self.error = "failed", event[1]
                    return
        finally:
            self.paused = False
            if child.is_alive():
                child.join(timeout=KILL_AFTER_S)
            if child.is_alive():
                child.kill()
            child.join()

    @property
    def finished(self) -> bool:
        return self.state in ("done", "cancelled", "failed")

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)
