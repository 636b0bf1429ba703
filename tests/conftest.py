import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pytest_configure(config):
    from lib import models

    import torch

    torch.set_num_threads(models.cpu_threads())  # the CLIs run here set none; LLM_LAB_THREADS=1 for two workers


# The one-time work every test run needs, each in its own process and at the same time (most of each is
# single-threaded Python: reading a GGUF's metadata, building its tokenizer). In the controller, before any test
# worker starts (`make test` runs two: see the Makefile), so no worker converts and none reads a half-written cache.
THREADS = "import torch; from lib import models; torch.set_num_threads(models.cpu_threads()); "


def prepare() -> dict:
    """What to make → (whether it is made, the code that makes it)."""
    from lib import fast_engine, models, scoreboard

    return {
        "SmolLM2 and its fast engine": (models.is_converted() and fast_engine.is_built("exact"),
                                        "from lib import fast_engine; models.ensure_converted(); fast_engine.ensure_built()"),
        "the Gemma base model": (models.is_base_converted(), "models.ensure_base_converted()"),
        # The scoreboard's 4,000-pair shot pool, embedded once into the lab's cache (lib.scoreboard.embedded).
        "the scoreboard's shot pool": (scoreboard.shot_pool_is_embedded(),
                                       "from lib import scoreboard; scoreboard.embedded(models.load_embeddings(), "
                                       "tuple(e.input for e in scoreboard.viggo_task(1).examples))"),
    }


def pytest_sessionstart(session):
    if hasattr(session.config, "workerinput"):
        return
    env = {**os.environ, "LLM_LAB_THREADS": "1"}
    runs = {what: subprocess.Popen([sys.executable, "-c", THREADS + code], cwd=ROOT, env=env)
            for what, (made, code) in prepare().items() if not made}
    failed = [what for what, run in runs.items() if run.wait() != 0]
    if failed:
        raise pytest.UsageError(f"Preparing {' and '.join(failed)} failed (see above).")


@pytest.fixture(scope="session")
def chat_model():
    """The real bundled SmolLM2, loaded once for the whole run (converted on the first run ever).

    Also converts the Gemma base model once, so no page test or browser test waits on it mid-way."""
    from lib import models

    models.ensure_base_converted()
    return models.load_chat_model()


@pytest.fixture(scope="session")
def fast_model(chat_model):
    """The bundled SmolLM2 on the fast engine (built from the converted model on the first run ever)."""
    from lib import fast_engine

    return fast_engine.load()


@pytest.fixture(scope="session")
def base_model(chat_model):
    """The pretrained-only Gemma 3 270M (converted by chat_model's fixture), loaded once for the whole run."""
    from lib import models

    return models.load_pretrained_base()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """The tiny-config model (tests/tiny.py): SmolLM2's shape and tokenizer, random weights."""
    from tiny import tiny_model

    return tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def tiny_adapter_dir(tiny_model_dir, tmp_path_factory):
    from tiny import random_adapter

    return random_adapter(tiny_model_dir, tmp_path_factory.mktemp("tiny-adapter"))
