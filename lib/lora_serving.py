"""Serving many LoRA adapters from one model, and training jobs that run in the background.

`LoraServer` keeps one copy of a base model (separate from the chat model)
with every adapter trained on it loaded under its own name (adapters on
another base model, the Gemma ones, live in a server of their own). Each call
names the adapter it wants (`adapter_names=`) instead of flipping a global
`set_adapter` switch.
That alone is not thread-safe: peft implements `adapter_names` with forward
hooks it puts on the shared modules for the length of the call, so two calls at
once see each other's hooks (tests/test_lora.py shows a base answer coming out
adapted). So every generation, and every adapter added or removed, holds the
server's lock for its whole length. A generation takes the lock before its CPU
turns (which it passes on between tokens), never the other way round: a thread
holding a turn while it waited for the lock would wait for the generation that
waits for that turn. For the same reason a session's adapters are removed
without waiting: when the lock is busy, the removal happens at its next taking.

`SessionAdapters` owns one browser session's adapters: when the session's
state is garbage-collected (the tab is gone), they are unloaded and their
files deleted.

`TrainingJob` runs `lora_training.train` in a process of its own (see `jobs.py`), waiting
its turn on a queue (one training at a time per server) and exposing progress for a page to poll.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import uuid
import weakref
from contextlib import contextmanager
from pathlib import Path

from lib import lora, lora_training
from lib.backends import AdapterBackend
from lib.jobs import BackgroundJob
from lib.models import BUNDLED_CHAT_NAME, LoadedModel
from lib.work_queue import WorkQueue


class LoraServer:
    def __init__(self, adapters: dict[str, Path], base_model: str = ""):
        import time

        started = time.perf_counter()
        self.model, self.tokenizer = lora.serving_model(adapters, base_model)
        self.base_name = base_model or BUNDLED_CHAT_NAME
        self.loaded = LoadedModel(f"{self.base_name} + LoRA", self.model, self.tokenizer, time.perf_counter() - started,
                                  False)
        self._lock = threading.RLock()
        self._leaving: list[str] = []  # adapters to remove at the next taking of the lock

    @property
    def names(self) -> list[str]:
        return list(self.model.peft_config)

    def add(self, name: str, path: Path) -> None:
        with self.holding():
            self.model.load_adapter(str(path), adapter_name=name)
            self.model.eval()

    def remove(self, name: str) -> None:
        """Remove an adapter now, or at the lock's next taking when it is busy (this may run in any thread)."""
        self._leaving.append(name)
        if self._lock.acquire(blocking=False):
            try:
                self._remove_leaving()
            finally:
                self._lock.release()

    def _remove_leaving(self) -> None:  # with the lock held
        while self._leaving:
            name = self._leaving.pop()
            if name in self.model.peft_config:
                self.model.delete_adapter(name)

    @contextmanager
    def holding(self):
        """The server's lock, held for a whole call (a generation, an adapter added)."""
        with self._lock:
            self._remove_leaving()
            yield

    def backend(self, adapter: str | None, to_the_end: bool = False) -> AdapterBackend:
        """The base model (adapter None) or one adapter behind the one answer interface, chosen per call;
        `to_the_end`: a pretrained base model is not cut at its first line break."""
        return AdapterBackend(self, adapter, to_the_end)


def server_of(base_model: str) -> LoraServer:
    """A new server of one base model ("" = the bundled chat model) with every served adapter trained on it."""
    return LoraServer(lora.served_on(base_model), base_model)


def server_holding(adapter: str) -> LoraServer:
    """A new server holding a served adapter (what the CLIs and tests load; the app keeps one per base model, see
    runtime.server_for)."""
    return server_of(lora.base_model_of(lora.SERVED[adapter]))


class SessionAdapters:
    """One session's adapters: display name → name inside the server. Cleaned up when the session goes."""

    def __init__(self, server: LoraServer):
        self.server = server
        self.session = uuid.uuid4().hex[:8]
        self.folder = Path(tempfile.mkdtemp(prefix=f"llm-lab-{self.session}-"))  # private: mode 0700
        self.adapters: dict[str, str] = {}
        weakref.finalize(self, SessionAdapters._cleanup, server, self.adapters, self.folder)

    def new_folder(self) -> Path:
        return self.folder / f"adapter-{len(self.adapters) + 1}"

    def register(self, display: str, path: Path) -> str:
        internal = f"user-{self.session}-{len(self.adapters) + 1}"
        self.server.add(internal, path)
        self.adapters[display] = internal
        return internal

    @staticmethod
    def _cleanup(server: LoraServer, adapters: dict[str, str], folder: Path) -> None:
        for internal in adapters.values():
            server.remove(internal)
        shutil.rmtree(folder, ignore_errors=True)


class TrainingJob(BackgroundJob):
    """A LoRA training run in its own process; the page reads its fields to draw progress."""

    def __init__(self, config: lora_training.TrainConfig, pairs: list[dict], out_dir: Path, queue: WorkQueue, **options):
        self.config, self.out_dir = config, out_dir
        super().__init__(lora_training.train, (config, pairs, out_dir), queue, "lora-train", **options)
