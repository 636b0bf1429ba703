"""Training runs in a process of their own: progress, pause, cancel, abandonment, failure (tiny model)."""

import threading
import types
from pathlib import Path

from lib import tinylm
from lib.jobs import BackgroundJob
from lib.work_queue import WorkQueue


def _until(condition, timeout=60.0):
    """Wait for `condition()` (a deadline, not a timing assertion)."""
    tick = threading.Event()
    for _ in range(int(timeout / 0.05)):
        if condition():
            return True
        tick.wait(0.05)
    return condition()


def test_a_run_reports_its_steps_and_returns_its_log():
    job = BackgroundJob(tinylm.train, (tinylm.TinyConfig(seconds=2), tinylm.corpus()), WorkQueue())
    job.wait(timeout=120)
    assert job.state == "done", job.error
    assert len(job.losses) == len(job.log.losses) >= 2 and job.losses == job.log.losses
    assert job.log.losses[-1] < job.log.losses[0]


def test_a_watched_run_pauses_between_steps_goes_on_when_released_and_stops_on_cancel():
    pause, queue, watching = threading.Event(), WorkQueue(), threading.Event()
    job = BackgroundJob(tinylm.train, (tinylm.TinyConfig(seconds=60), tinylm.corpus()), queue,
                        pause_when=pause.is_set, grace_s=1.0)

    def keep_watching():  # what the page's once-a-second poll does
        while not watching.is_set():
            job.seen()
            watching.wait(0.1)

    threading.Thread(target=keep_watching, daemon=True).start()
    assert _until(lambda: len(job.losses) >= 2)
    pause.set()
    assert _until(lambda: job.paused)
    settled = len(job.losses)
    threading.Event().wait(0.5)  # at most the step in flight lands
    held = len(job.losses)
    threading.Event().wait(1.5)  # longer than the grace period too: a watched run is not abandoned
    assert len(job.losses) == held <= settled + 1 and not job.finished
    pause.clear()
    assert _until(lambda: len(job.losses) > held + 1)
    job.cancel.set()
    job.wait(timeout=10)
    watching.set()
    assert job.state == "cancelled" and not job.abandoned and not job.paused and queue.busy == 0


def _mark_started(path: str, on_step, cancel):  # a training run's work, reduced to saying it has begun
    Path(path).write_text("started", encoding="utf-8")
    on_step(1, 0.0, None)
    return types.SimpleNamespace(cancelled=False, losses=[0.0])


def test_a_run_asked_for_while_others_are_answered_does_not_even_start(tmp_path):
    pause, started = threading.Event(), tmp_path / "started"
    pause.set()  # someone is being answered when the run is asked for
    job = BackgroundJob(_mark_started, (str(started),), WorkQueue(), pause_when=pause.is_set)
    assert _until(lambda: job.paused, timeout=10)
    threading.Event().wait(3.0)  # the time a process takes to start and reach its work, several times over
    assert not started.exists() and not job.finished
    pause.clear()
    job.wait(timeout=60)
    assert job.state == "done" and started.exists()


def test_a_run_nobody_watches_is_cancelled_and_frees_the_trainer():
    queue = WorkQueue()
    job = BackgroundJob(tinylm.train, (tinylm.TinyConfig(seconds=60), tinylm.corpus()), queue, grace_s=1.0)
    job.wait(timeout=30)
    assert job.state == "cancelled" and job.abandoned and queue.busy == 0


def test_an_error_in_the_training_process_becomes_a_message():
    job = BackgroundJob(tinylm.train, (tinylm.TinyConfig(seconds=1), "too short"), WorkQueue())
    job.wait(timeout=60)
    assert job.state == "failed" and "needs at least" in job.error
