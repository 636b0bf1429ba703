"""Continuous batching: every session's answers on the fast engine decode together, one token per row a model call.

    >>> batcher = Batcher(Decoder(session, layers=30, kv_heads=3, head_size=64), eos_ids={2})
    >>> row = batcher.submit(prompt_ids, GenerationSettings(max_new_tokens=64), owner="session-1")
    >>> list(row.tokens_as_they_come())

Why: decoding reads every weight once per model call, whatever the number of rows.
On this 2-core CPU one row takes ~12 ms a step and sixteen rows ~60 ms, so sixteen
people asking at once get about three times the tokens per second in all
(bench/workshop.py measures it in the app).

How: one thread owns the batch. A new answer first reads its prompt alone (a
model call of its own; when the prompt begins as the one read before it, as an
evaluation's instruction and shots do, only the rest is read). Then it joins the
batch. Each row's keys and values sit right-padded in one
[rows, kv heads, length, head size] array per layer, and each row's attention
mask tells the attention operator its own length. A row leaves when its answer
ends, when it is cancelled, or when nobody reads it any more.

Greedy answers equal one-by-one answers: every row sees only its own keys and
values, and tests compare the two token for token. Sampled rows draw from their
own seeded generator.

Fair: when more answers wait than rows are free, the next row goes to the
session with the fewest rows in the batch, so one session's 60-item evaluation
cannot crowd out another's question. On the shared scheduler, reading a prompt is
a turn of the session that asked, and decoding is the batch's own work (`busy`),
counted for the people in it; other pages' PyTorch work takes turns with both.

Rows are padded to the longest, so a row joins only while rows × longest stays
under `max_padded_tokens`; a long conversation among short questions waits for
a smaller batch.

What this leaves out: splitting a long prompt's reading into pieces (a
1,000-token prompt holds the batch for ~1 s).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import numpy as np

from lib.generation import GenerationSettings
from lib.scheduler import Request, current_request, holds_turn, pass_turn, step, still_wanted, working_for

KV = list[np.ndarray]  # per layer: key, value, each [rows, kv heads, length, head size]
_END = object()
KEEP_READ_TOKENS = 2048  # the last prompt's keys and values are kept for the next one up to this length (~90 MB)


class Decoder:
    """The engine's ONNX graph called directly: a prompt read alone, or one token for each of many rows."""

    def __init__(self, session, layers: int, kv_heads: int, head_size: int):
        self.session, self.layers, self.kv_heads, self.head_size = session, layers, kv_heads, head_size
        self.outputs = [o.name for o in session.get_outputs()]

    def empty(self, rows: int = 1) -> KV:
        return [np.zeros((rows, self.kv_heads, 0, self.head_size), np.float32) for _ in range(2 * self.layers)]

    def __call__(self, ids: np.ndarray, lengths: list[int], past: KV) -> tuple[np.ndarray, KV]:
        """Logits of each row's last position, and the new keys and values.

        `lengths`: each row's length once `ids` are read; a row's positions past its length are padding."""
        mask = np.zeros((len(lengths), max(lengths)), np.int64)
        for row, length in enumerate(lengths):
            mask[row, :length] = 1
        feeds = {"input_ids": ids.astype(np.int64), "attention_mask": mask}
        for layer in range(self.layers):
            feeds[f"past_key_values.{layer}.key"] = past[2 * layer]
            feeds[f"past_key_values.{layer}.value"] = past[2 * layer + 1]
        out = dict(zip(self.outputs, self.session.run(None, feeds)))
        present = [out[f"present.{layer}.{part}"] for layer in range(self.layers) for part in ("key", "value")]
        return out["logits"][:, -1, :], present


@dataclass(eq=False)
class Row:
    """One answer in progress. Its reader takes tokens from `tokens_as_they_come()`."""

    ids: list[int]
    settings: GenerationSettings
    owner: str
    cancel: threading.Event  # the asker's: set, it stops this answer (and any other that shares it)
    stop: threading.Event = field(default_factory=threading.Event)  # this row's reader has gone
    queue: queue.Queue = field(default_factory=queue.Queue)
    length: int = 0  # tokens whose keys and values the batch holds for this row
    last: int = -1  # the token the row reads next
    made: int = 0  # tokens generated so far, the end-of-turn token included
    done: bool = False  # the reader has been told the answer ended
    rng: np.random.Generator | None = None
    kv: KV | None = None  # the prompt's keys and values, between reading it and joining the batch
    request: Request | None = None  # the asker's scheduler request: reading the prompt is one of its turns

    def tokens_as_they_come(self, poll_s: float = 0.25) -> Iterator[int]:
        """The answer's tokens (not the end-of-turn one). Leaving early, or the reader's session going, cancels it."""
        try:
            while True:
                try:
                    item = self.queue.get(timeout=poll_s)
                except queue.Empty:
                    if not still_wanted():  # e.g. the tab that asked was closed
                        raise InterruptedError("Nobody is waiting for this answer any more.") from None
                    continue
                if item is _END or self.cancelled():  # tokens made ahead of a cancel are not handed out
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.stop.set()  # a no-op once the answer has ended

    def cancelled(self) -> bool:
        return self.cancel.is_set() or self.stop.is_set()


def pick(logits: np.ndarray, settings: GenerationSettings, rng: np.random.Generator | None) -> int:
    """The next token: the most likely one, or a draw with temperature and nucleus (top-p) as the reference path does."""
    if settings.greedy or rng is None:
        return int(np.argmax(logits))
    scaled = logits.astype(np.float64) / settings.temperature
    probs = np.exp(scaled - scaled.max())
    probs /= probs.sum()
    order = np.argsort(-probs, kind="stable")
    cumulative = np.cumsum(probs[order])
    keep = order[: int(np.searchsorted(cumulative, settings.top_p) + 1)]  # the fewest tokens reaching top_p
    return int(rng.choice(keep, p=probs[keep] / probs[keep].sum()))


class Batcher:
    def __init__(self, decoder: Decoder, eos_ids: set[int], max_rows: int = 16, max_padded_tokens: int = 8192,
                 busy: Callable[[], AbstractContextManager] = nullcontext):
        # busy(): held while the batch has work (runtime makes it a scheduler request, whose turns step() takes).
        self.decoder, self.eos_ids, self.max_rows, self.busy = decoder, eos_ids, max_rows, busy
        self.max_padded_tokens = max_padded_tokens  # rows × longest row when a row joins (~46 KB a token)
        self._lock = threading.Condition()
        self._pending: list[Row] = []
        self._rows: list[Row] = []
        self._reading: Row | None = None  # taken from the waiting list, its prompt being read
        self._past: KV = decoder.empty(0)
        self._read: tuple[list[int], KV] = ([], [])  # the prompt read last, for the next one that begins the same
        self._thread: threading.Thread | None = None
        self.steps = 0  # batched model calls so far (tests read it)
        self.widest = 0  # the most rows one call has decoded

    @property
    def sessions(self) -> int:
        """How many sessions have answers in the batch or waiting for it (the scheduler's weight for its steps)."""
        with self._lock:
            return len({r.owner for r in self._rows + self._pending})

    def submit(self, ids: list[int], settings: GenerationSettings, owner: str = "",
               cancel: threading.Event | None = None) -> Row:
        if holds_turn() and self.busy is not nullcontext:
            # The batch's thread would wait for the turn this thread holds while this thread waits for it.
            raise RuntimeError("An answer from the shared batch was asked for while holding a turn on the CPU; "
                               "read it outside scheduler steps (see runtime.stream_answer).")
        row = Row(list(ids), settings, owner, cancel or threading.Event(), request=current_request())
        if not settings.greedy:
            row.rng = np.random.default_rng(settings.seed)
        with self._lock:
            self._pending.append(row)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="fast-engine-batch", daemon=True)
                self._thread.start()
            self._lock.notify()
        return row

    # The batch's own thread from here on.

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._pending and not self._rows:
                    self._lock.wait()
            try:
                with self.busy() as batch:
                    while self._work(batch):
                        pass
            except BaseException as error:  # never leave a reader waiting: tell every row what happened
                with self._lock:
                    rows = self._rows + self._pending + [r for r in [self._reading] if r is not None]
                    self._rows, self._pending, self._reading = [], [], None
                self._past = [a[:0, :, :0] for a in self._past]
                for row in rows:
                    row.queue.put(error if isinstance(error, Exception) else RuntimeError(str(error)))

    def _work(self, batch: Request | None) -> bool:
        """Let waiting answers in, then tokens for every row until one can join; False once there is nothing to do.

        A prompt is read in a turn of its asker's request, so the CPU it takes counts for that session (an
        evaluation's hundred prompts for it alone, not for the people in the batch). Decoding holds one turn of
        the batch's own, handed on between model calls (pass_turn) to sessions that used less CPU time."""
        self._drop_finished()
        joining: list[Row] = []
        while (row := self._next_pending(self._rows + joining)) is not None:
            self._reading = row
            try:
                with working_for(row.request or batch), step():
                    if self._read_prompt(row):
                        joining.append(row)
            except InterruptedError:  # the asker went while waiting for its turn
                self._end(row)
            self._reading = None
        if joining:
            self._join(joining)
        if not self._rows:
            with self._lock:
                return bool(self._pending)
        with step():
            while True:
                self._decode()
                self._drop_finished()
                if not self._rows or self._next_pending(self._rows, take=False) is not None:
                    return True
                pass_turn()

    def _next_pending(self, batch: list[Row], take: bool = True) -> Row | None:
        """The next answer to let in: the first from the session with the fewest rows in the batch."""
        with self._lock:
            for row in [r for r in self._pending if r.cancelled()]:
                self._pending.remove(row)
                self._end(row)
            if len(batch) >= self.max_rows:
                return None
            longest = max((r.length for r in batch), default=0)
            counts: dict[str, int] = {}
            for r in batch:
                counts[r.owner] = counts.get(r.owner, 0) + 1
            if not self._pending:
                return None
            row = min(self._pending, key=lambda r: counts.get(r.owner, 0))  # min keeps the first of equals
            # Rows are padded to the longest: one long prompt among short ones makes every call copy
            # rows × longest keys and values, so it waits for a smaller batch (alone, anything fits), and
            # nobody overtakes it meanwhile.
            if batch and (len(batch) + 1) * max(longest, len(row.ids)) > self.max_padded_tokens:
                return None
            if take:
                self._pending.remove(row)
            return row

    def _read_prompt(self, row: Row) -> bool:
        """Reads the row's prompt and hands over its first token; True when the answer goes on."""
        before, kept = self._read
        # Re-read at least the last two tokens: one token alone takes the one-row kernels, whose rounding
        # differs slightly from the many-row ones a whole prompt goes through, and answers could change.
        shared = 0
        for a, b in zip(before, row.ids[:-2]):
            if a != b:
                break
            shared += 1
        past = [np.ascontiguousarray(a[:, :, :shared]) for a in kept] if shared else self.decoder.empty()
        logits, present = self.decoder(np.array([row.ids[shared:]]), [len(row.ids)], past)
        self._read = (row.ids, present) if len(row.ids) <= KEEP_READ_TOKENS else ([], [])
        row.length = len(row.ids)
        row.kv = present
        return self._emit(row, logits[0])

    def _join(self, rows: list[Row]) -> None:
        longest = max([self._past[0].shape[2]] + [r.length for r in rows])
        count = len(self._rows) + len(rows)
        joined = []
        for i, old in enumerate(self._past):
            new = np.zeros((count, old.shape[1], longest, old.shape[3]), np.float32)
            new[: old.shape[0], :, : old.shape[2]] = old
            for j, row in enumerate(rows):
                new[len(self._rows) + j, :, : row.length] = row.kv[i][0]
            joined.append(new)
        for row in rows:
            row.kv = None
        self._past = joined
        with self._lock:
            self._rows.extend(rows)

    def _decode(self) -> None:
        lengths = [r.length + 1 for r in self._rows]
        logits, self._past = self.decoder(np.array([[r.last] for r in self._rows]), lengths, self._past)
        self.steps += 1
        self.widest = max(self.widest, len(self._rows))
        for row, length, row_logits in zip(self._rows, lengths, logits):
            row.length = length
            self._emit(row, row_logits)

    def _emit(self, row: Row, logits: np.ndarray) -> bool:
        if row.cancelled():
            self._end(row)
            return False
        token = pick(logits, row.settings, row.rng)
        row.made += 1
        ended = token in self.eos_ids
        if not ended:
            row.queue.put(token)
        row.last = token
        if ended or row.made >= row.settings.max_new_tokens:
            self._end(row)  # it leaves the batch before the next call
            return False
        return True

    @staticmethod
    def _end(row: Row) -> None:
        if not row.done:
            row.done = True
            row.queue.put(_END)

    def _drop_finished(self) -> None:
        for row in self._rows:
            if row.cancelled():
                self._end(row)
        keep = [i for i, r in enumerate(self._rows) if not r.done]
        if len(keep) == len(self._rows):
            return
        with self._lock:
            self._rows = [self._rows[i] for i in keep]
        longest = max((r.length for r in self._rows), default=0)
        self._past = [np.ascontiguousarray(a[keep, :, :longest]) for a in self._past] if keep else self.decoder.empty(0)
