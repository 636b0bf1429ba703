"""Fair turns on one CPU: every session's work runs one step at a time, and the turns go round the sessions.

Two cores run one model step well and two badly, so the server runs one step at
a time (each step uses both cores). What a step is depends on the work: one
model call of the fast engine's batch (a token for every answer in it, 12–60 ms),
one token of a PyTorch answer (reference engine, LoRA adapters: `pass_turn()`
after each token hands the CPU on while others wait), one embedding or chart
job. A session opens a *request*, then takes a turn for each step:

    >>> with scheduler.request(owner="session-1", on_wait=show_place) as req:
    ...     for token in ...:
    ...         with step():           # the module function: this thread's request, or at once outside one
    ...             generator.generate_next_token()

The next turn goes to the waiting session that has used the least CPU time, so a
session running a long job step by step and a session asking one question share
the CPU instead of the question waiting for the whole job. A step that serves
many sessions at once counts for less (`weight`). Steps are re-entrant: a step
inside a step is part of it.

How requests share the CPU is the scheduler's `policy`: `TURNS` (the above), or `WHOLE_REQUESTS`, the old
way kept for the benchmark's comparison (a request holds the CPU from its first step to its end, and the fast
engine answers one at a time). `LLM_LAB_POLICY=whole_requests` picks it for a server (bench/workshop.py).

The fast engine's answers share one batch (see batcher.py), which takes its
turns here as one piece of work with owner "" (not counted in `people`) and the
weight of the sessions it answers; its readers wait without holding a turn.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

from lib.work_queue import QueueFull

_here = threading.local()  # .request: the request this thread is working for; .depth: steps it holds


class Request:
    def __init__(self, scheduler: Scheduler, owner: str, cancel: threading.Event | None,
                 on_wait: Callable[[int], None], still_wanted: Callable[[], bool], weight: Callable[[], int]):
        self.scheduler, self.owner, self.cancel, self.on_wait = scheduler, owner, cancel, on_wait
        self.still_wanted, self.weight = still_wanted, weight
        self.first = True

    @contextmanager
    def step(self) -> Iterator[None]:
        if getattr(_here, "depth", 0):
            yield  # already holding the CPU: a step inside a step, or a request that holds it whole
            return
        self.stop_if_unwanted()
        self.scheduler._acquire(self)
        _here.depth = 1
        try:
            yield
        finally:
            _here.depth = 0
            self.scheduler._release(self)

    def stop_if_unwanted(self) -> None:
        """Raise InterruptedError (and cancel) once nobody waits for this work, e.g. the tab that asked was closed."""
        if not self.still_wanted():
            if self.cancel is not None:
                self.cancel.set()
            raise InterruptedError("Nobody is waiting for this answer any more.")


def step():
    """A turn for the calling thread's request; at once when the thread is not working for one (CLIs, tests)."""
    request = getattr(_here, "request", None)
    return request.step() if request is not None else nullcontext()


def pass_turn() -> None:
    """Between two tokens of a long step (a PyTorch answer): let the steps other sessions wait with run first.

    Raises InterruptedError when the request is cancelled while it waits to carry on."""
    request = getattr(_here, "request", None)
    if request is None or not getattr(_here, "depth", 0):
        return
    request.stop_if_unwanted()
    request.scheduler.policy.pass_turn(request.scheduler, request)


def current_request() -> Request | None:
    return getattr(_here, "request", None)


@contextmanager
def working_for(request: Request | None) -> Iterator[None]:
    """Make a helper thread (one generating for a reader) take its turns as the reader's request."""
    outer = getattr(_here, "request", None)
    _here.request = request
    try:
        yield
    finally:
        _here.request = outer


def still_wanted() -> bool:
    """Whether someone still waits for the calling thread's request (true outside one)."""
    request = getattr(_here, "request", None)
    return request is None or request.still_wanted()


def holds_turn() -> bool:
    """Whether the calling thread holds the CPU for a step that other threads' steps wait for."""
    request = getattr(_here, "request", None)
    return request is not None and bool(getattr(_here, "depth", 0))


def current_owner() -> str:
    """The session the calling thread works for ("" outside a request)."""
    request = getattr(_here, "request", None)
    return request.owner if request is not None else ""


class Turns:
    """The lab's policy: a turn per step, and the next turn to the session that has used the least CPU."""
    name = "turns"
    batch_rows: int | None = None  # the fast engine's batch takes every answer asked for (its own limit)

    def opened(self, scheduler: Scheduler, req: Request) -> None:
        """A request begins: its steps will ask for turns."""

    def closed(self, scheduler: Scheduler, req: Request) -> None:
        """A request ends."""

    def pass_turn(self, scheduler: Scheduler, req: Request) -> None:
        scheduler._pass(req)


class WholeRequests(Turns):
    """The old way, kept for the benchmark's comparison: first come, first served, each request from its first
    step to its end, and the fast engine's batch one answer at a time."""
    name = "whole_requests"
    batch_rows = 1

    def opened(self, scheduler: Scheduler, req: Request) -> None:
        scheduler._acquire(req)
        _here.depth = 1  # its steps are inside the whole request's turn

    def closed(self, scheduler: Scheduler, req: Request) -> None:
        if scheduler._holder is req:
            _here.depth = 0
            scheduler._release(req)

    def pass_turn(self, scheduler: Scheduler, req: Request) -> None:
        """Never: the request keeps the CPU to its end."""


TURNS, WHOLE_REQUESTS = Turns(), WholeRequests()
POLICIES = {policy.name: policy for policy in (TURNS, WHOLE_REQUESTS)}


class Scheduler:
    def __init__(self, max_requests: int = 64, policy: Turns = TURNS, poll_s: float = 0.25,
                 clock: Callable[[], float] = time.monotonic):
        self.max_requests, self.policy, self.poll_s, self.clock = max_requests, policy, poll_s, clock
        self._lock = threading.Lock()
        self._holder: Request | None = None
        self._waiting: dict[Request, threading.Event] = {}
        self._order: dict[Request, int] = {}
        self._requests: list[Request] = []
        # owner → CPU seconds its turns have used, each divided by how many sessions the turn served
        # (`weight`): the next turn goes to the least. The batch's step answers a dozen people at once, so it
        # counts as a twelfth of a step, and a session's long job cannot take half the CPU from twelve chats.
        self._used: dict[str, float] = {}
        self._granted_at = 0.0
        self._tickets = itertools.count()

    @property
    def people(self) -> int:
        """How many sessions have work in progress (asking, evaluating, waiting).

        Work the server does for many sessions at once (the fast engine's batch) has owner "" and is not counted."""
        with self._lock:
            return len({r.owner for r in self._requests} - {""})

    @property
    def waiting(self) -> int:
        """How many requests wait for a turn right now."""
        with self._lock:
            return len(self._waiting)

    @contextmanager
    def request(self, owner: str, cancel: threading.Event | None = None,
                on_wait: Callable[[int], None] = lambda _ahead: None,
                still_wanted: Callable[[], bool] = lambda: True,
                weight: Callable[[], int] = lambda: 1) -> Iterator[Request]:
        """Work for `owner` (a session); `on_wait(sessions_ahead)` is called while its first turn waits, and
        once `still_wanted()` is false its next step raises InterruptedError instead of taking a turn.
        `weight()`: how many sessions one of its steps serves (the fast engine's batch: the people in it)."""
        req = Request(self, owner, cancel, on_wait, still_wanted, weight)
        with self._lock:
            if len(self._requests) >= self.max_requests:
                raise QueueFull(len(self._requests), "in progress")
            self._requests.append(req)
        outer = getattr(_here, "request", None)
        _here.request = req
        try:
            self.policy.opened(self, req)
            yield req
        finally:
            self.policy.closed(self, req)
            _here.request = outer
            with self._lock:
                self._requests.remove(req)
                if all(r.owner != owner for r in self._requests):
                    self._used.pop(owner, None)  # back later, it starts level with the others (see _enter)

    def _acquire(self, req: Request) -> None:
        with self._lock:
            self._enter(req)
            if self._holder is None and not self._waiting:
                self._grant(req)
                return
            wake = self._waiting[req] = threading.Event()
            self._order[req] = next(self._tickets)
        try:
            while not wake.wait(self.poll_s):
                if req.cancel is not None and req.cancel.is_set():
                    raise InterruptedError("Cancelled while waiting for a turn.")
                if req.first:  # later turns come within a round of tokens: no message for those
                    req.on_wait(self._ahead(req))
        except BaseException:
            with self._lock:
                if self._holder is req:  # granted just as we gave up: pass the turn on
                    self._holder = None
                    self._grant_next()
                self._waiting.pop(req, None)
                self._order.pop(req, None)
            raise
        req.first = False

    def _pass(self, req: Request) -> None:
        """Hand the CPU on only to a session that has used less than this one; otherwise carry on.

        (A step that ends hands the CPU to whoever waits, as this request is not waiting at that moment; so
        work that goes on for many steps holds one step and passes it on here, where both sides are known.)"""
        with self._lock:
            if self._holder is not req:
                return
            self._charge(req)
            mine = self._used[req.owner]
            if not any(self._used.get(r.owner, 0.0) < mine for r in self._waiting):
                return
            self._holder = None
            self._grant_next()
        self._acquire(req)

    def _ahead(self, req: Request) -> int:
        with self._lock:
            mine = self._used.get(req.owner, 0.0)
            ahead = {r.owner for r in self._waiting if r.owner != req.owner and self._used.get(r.owner, 0.0) <= mine}
            return len(ahead) + (self._holder is not None)

    def _enter(self, req: Request) -> None:  # with the lock held
        """A session that was idle starts level with the least-served active one: no credit saved up while idle."""
        if req.owner not in self._used:  # forgotten when its last request ended
            active = [self._used[r.owner] for r in self._requests if r.owner != req.owner and r.owner in self._used]
            self._used[req.owner] = min(active, default=0.0)

    def _release(self, req: Request) -> None:
        with self._lock:
            if self._holder is req:
                self._holder = None
                self._charge(req)
                self._grant_next()

    def _charge(self, req: Request) -> None:  # with the lock held
        now = self.clock()
        self._used[req.owner] = self._used.get(req.owner, 0.0) + (now - self._granted_at) / max(1, req.weight())
        self._granted_at = now

    def _grant(self, req: Request) -> None:  # with the lock held
        self._holder = req
        self._granted_at = self.clock()
        req.first = False

    def _grant_next(self) -> None:  # with the lock held
        if not self._waiting:
            return
        # The session that has used the least goes next; within a session, the request that asked first.
        chosen = min(self._waiting, key=lambda r: (self._used.get(r.owner, 0.0), self._order[r]))
        wake = self._waiting.pop(chosen)
        self._order.pop(chosen)
        self._grant(chosen)
        wake.set()
