"""The from-scratch character model: it learns (loss falls) and stops on time or when cancelled."""

import threading

from lib import tinylm


def test_corpus_is_the_sample_documents():
    text = tinylm.corpus()
    assert len(text) > 5000 and "DeepHaiku" in text


def test_a_few_seconds_of_training_lower_the_loss_and_produce_text():
    steps = []
    log = tinylm.train(tinylm.TinyConfig(seconds=6, sample_every_s=2), tinylm.corpus(),
                       on_step=lambda step, loss, sample: steps.append(step))
    assert len(log.losses) >= 10 and steps == list(range(1, len(log.losses) + 1))
    assert sum(log.losses[-5:]) / 5 < log.losses[0] - 0.5  # from ~ln(vocab) towards letter statistics
    assert log.samples and log.samples[-1][1].startswith("The ") and len(log.samples[-1][1]) > 100
    assert 100_000 < log.parameters < 1_000_000
    assert log.characters == len(log.losses) * 32 * 64


def test_cancel_stops_training():
    cancel = threading.Event()
    cancel.set()
    log = tinylm.train(tinylm.TinyConfig(seconds=60), tinylm.corpus(), cancel=cancel)
    assert log.cancelled and log.losses == []


def test_too_little_text_is_refused():
    import pytest

    with pytest.raises(ValueError, match="at least"):
        tinylm.train(tinylm.TinyConfig(seconds=1), "too short")
