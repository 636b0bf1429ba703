"""Heavy work (a training run) in a background thread that waits its turn on a queue and reports progress.

    >>> job = BackgroundJob(lambda on_step, cancel: train(config, data, on_step, cancel), queue)
    >>> job.state, job.losses, job.samples            # a page polls these
    >>> job.cancel.set()

`work(on_step, cancel)` must call `on_step(step, loss, sample_or_None)` as it goes,
stop soon after `cancel` is set, and return a log with a `cancelled` flag.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from lib.work_queue import WorkQueue


class BackgroundJob:
    def __init__(self, work: Callable, queue: WorkQueue, name: str = "job"):
        self.cancel = threading.Event()
        self.state = "queued"  # queued → running → done | cancelled | failed
        self.ahead = 0
        self.losses: list[float] = []
        self.samples: list[tuple[int, str]] = []
        self.error = ""
        self.log = None
        self._thread = threading.Thread(target=self._run, args=(work, queue), name=name, daemon=True)
        self._thread.start()

    def _on_step(self, step: int, loss: float, sample: str | None) -> None:
        self.losses.append(loss)
        if sample is not None:
            self.samples.append((step, sample))

    def _run(self, work: Callable, queue: WorkQueue) -> None:
        try:
            with queue.ticket(on_wait=lambda ahead: setattr(self, "ahead", ahead), cancel=self.cancel):
                self.state = "running"
                self.log = work(self._on_step, self.cancel)
            self.state = "cancelled" if self.log.cancelled else "done"
        except InterruptedError:
            self.state = "cancelled"
        except Exception as error:  # surfaced on the page as a message, not a dead thread
            self.state, self.error = "failed", f"{type(error).__name__}: {error}"

    @property
    def finished(self) -> bool:
        return self.state in ("done", "cancelled", "failed")

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)
