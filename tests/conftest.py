import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pytest_configure(config):
    from lib import models

    import torch

    torch.set_num_threads(models.cpu_threads())  # the CLIs run here set none; LLM_LAB_THREADS=1 for two workers


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
