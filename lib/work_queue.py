"""One bounded, first-come-first-served queue: the training runs wait in it (one at a time per server).

Two cores cannot run thirty generations at once without every one of them
crawling, so the whole server shares a few *slots* (one per worker). A caller
takes a ticket, waits its turn (seeing its place in line), works, then leaves:

    >>> with queue.ticket(on_wait=lambda ahead: print(f"{ahead} ahead of you")):
    ...     run_the_model()

The line itself is bounded: past `max_waiting` a new ticket is refused with
`QueueFull`, so a crowd gets a clear "busy, try again" instead of a pile-up.

What this leaves out: priorities and fairness between users beyond arrival order.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class QueueFull(RuntimeError):
    """Too many people are already waiting: the one message every queue in the lab gives (the scheduler's turns and
    the training queue)."""

    def __init__(self, count: int, state: str):
        super().__init__(f"The server is busy: {count} requests are {state}. Try again in a minute.")


class WorkQueue:
    def __init__(self, workers: int = 1, max_waiting: int = 64):
        self.workers = workers
        self.max_waiting = max_waiting
        self._cond = threading.Condition()
        self._waiting: deque[int] = deque()
        self._running: set[int] = set()
        self._ids = itertools.count()

    def position(self, ticket_id: int) -> int:
        """How many tickets are ahead of this one (0 means it runs next or is running)."""
        with self._cond:
            if ticket_id in self._running:
                return 0
            return self._waiting.index(ticket_id) if ticket_id in self._waiting else 0

    @property
    def busy(self) -> int:
        with self._cond:
            return len(self._running)

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._waiting)

    @contextmanager
    def ticket(
        self,
        on_wait: Callable[[int], None] = lambda _ahead: None,
        cancel: threading.Event | None = None,
        poll_s: float = 0.25,
    ) -> Iterator[int]:
        """Hold a slot for the duration of the `with` block; `on_wait(ahead)` is called while queued."""
        ticket_id = self._enter()
        try:
            self._wait_turn(ticket_id, on_wait, cancel, poll_s)
            yield ticket_id
        finally:
            self._leave(ticket_id)

    def _enter(self) -> int:
        with self._cond:
            if len(self._waiting) >= self.max_waiting:
                raise QueueFull(len(self._waiting), "already waiting")
            ticket_id = next(self._ids)
            self._waiting.append(ticket_id)
            return ticket_id

    def _wait_turn(self, ticket_id, on_wait, cancel, poll_s) -> None:
        with self._cond:
            while not (self._waiting[0] == ticket_id and len(self._running) < self.workers):
                if cancel is not None and cancel.is_set():
                    raise InterruptedError("Cancelled while waiting in the queue.")
                ahead = self._waiting.index(ticket_id) + len(self._running)
                # Call back without the lock so a slow UI update never blocks the line.
                self._cond.release()
                try:
                    on_wait(ahead)
                finally:
                    self._cond.acquire()
                self._cond.wait(timeout=poll_s)
            self._waiting.popleft()
            self._running.add(ticket_id)

    def _leave(self, ticket_id: int) -> None:
        with self._cond:
            self._running.discard(ticket_id)
            if ticket_id in self._waiting:
                self._waiting.remove(ticket_id)
            self._cond.notify_all()
