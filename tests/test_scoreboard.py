"""The scoreboard: its summary arithmetic, retrieved shots, the shipped ladder (made again in test_experiments)."""

import numpy as np
import pytest

from lib import experiments, lora, scoreboard


def test_summary_means_over_seeds_with_the_spread():
    rows = [{"technique": "4-shot", "seed": s, "exact": e, "slot_f1": f}
            for s, e, f in [(0, 1.0, 1.0), (0, 0.0, 0.5), (1, 0.0, 0.0), (1, 0.0, 0.5)]]
    [row] = scoreboard.summarize(rows)
    assert row["exact_match"] == 0.25 and row["exact_match_min"] == 0.0 and row["exact_match_max"] == 0.5
    assert row["slot_f1"] == pytest.approx(0.5) and row["seeds"] == 2


def test_task_uses_the_lora_labs_data():
    task = scoreboard.viggo_task(10)
    assert len(task.examples) == len(lora.load_pairs(lora.TRAIN_FILE)) and len(task.test) == 10
    assert not {t.input for t in task.test} & {e.input for e in task.examples}


def test_nearest_shots_are_the_most_similar_training_pairs():
    from lib import models

    vectors = models.load_embeddings()
    embed = lambda texts: scoreboard.embedded(vectors, tuple(texts))  # noqa: E731
    task = scoreboard.viggo_task(3)
    pool = [e.input for e in task.examples]
    assert embed(pool) is embed(pool)  # the training-pair pool is embedded once per process, not per recompute
    shots = scoreboard.nearest_shots(task, embed, 4)
    assert [len(s) for s in shots] == [4, 4, 4]
    query = embed([task.test[0].input])[0]
    sims = [float(embed([s.input])[0] @ query) for s in shots[0]]
    assert sims == sorted(sims)  # most similar last, right before the question
    assert min(sims) >= float(np.sort(embed(pool) @ query)[-4]) - 1e-5


def test_shipped_results_cover_every_rung_and_adapter_wins():
    result = experiments.load("scoreboard")
    names = [r["technique"] for r in result["summary"]]
    assert names == [r.name for r in scoreboard.RUNGS]
    by = {r["technique"]: r for r in result["summary"]}
    for measure in ("exact_match", "slot_f1"):  # the page: LoRA teaches the form best of all
        assert by["LoRA adapter"][measure] > max(r[measure] for n, r in by.items() if n != "LoRA adapter")
    assert by["4-shot"]["seeds"] == result["seeds"]


def test_the_ladder_is_said_by_the_rule_and_names_the_engine_of_each_rung():
    stored = experiments.load("scoreboard")
    said = scoreboard.said(stored)
    assert said.startswith("Exact match, highest first: LoRA adapter")
    assert "the LoRA rung on float32, PyTorch + LoRA" in said
    from lib import effects

    names = list(dict.fromkeys(r["technique"] for r in stored["rows"]))
    assert effects.leader(stored["rows"], names, measure="exact", by="technique")[1].said() in said


def test_the_shot_pool_is_embedded_once_per_model_and_kept_on_disk(tmp_path, monkeypatch):
    """Another embedder object of the same model (each CLI run loads its own) and another process (the disk) get
    the pool's embeddings without embedding it again."""
    class Counting:
        model_name = "/somewhere/all-MiniLM-L6-v2"
        calls = 0

        def embed_documents(self, texts):
            Counting.calls += 1
            return [[float(len(t)), 1.0] for t in texts]

    monkeypatch.setenv("LLM_LAB_CACHE", str(tmp_path))
    pool = tuple(f"sentence {i}" for i in range(scoreboard.ON_DISK_FROM))
    first = scoreboard.embedded(Counting(), pool)
    calls = Counting.calls
    assert calls > 0 and scoreboard.embedded(Counting(), pool) is first  # a new object, the same model
    scoreboard._EMBEDDED.clear()  # as a new process finds it
    again = scoreboard.embedded(Counting(), pool)
    assert Counting.calls == calls and np.array_equal(again, first) and len(list(tmp_path.glob("embeddings/*.npy"))) == 1
    scoreboard.embedded(Counting(), pool[:3])  # a short list is not written to disk
    assert len(list(tmp_path.glob("embeddings/*.npy"))) == 1
