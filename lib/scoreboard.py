"""One task through every technique: the ViGGO-style held-out set, from zero-shot prompting to a LoRA adapter.

    >>> result = run(items=40, seeds=3, chat=backends.bundled(), adapter=server.backend(ADAPTER), embedder=...)
    >>> result["summary"]     # one row per technique: exact match and slot F1, mean and spread over seeds

The rungs: zero-shot; few-shot with k = 1, 4, 8 random training pairs as shots
(a new sample per seed); zero-shot chain-of-thought; "RAG shots" — the k
training pairs nearest the test sentence in embedding space (retrieval used to
pick examples, not facts); and the bundled LoRA adapter. Every rung sees the
same held-out sentences and is scored the same way (slot order ignored).

CLI (the page shows the same numbers): `python -m lib.cli.scoreboard --items 40 --seeds 3 --json`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib import experiments, lora, meaning, prompting, rag, tasks
from lib.models import REPO_ROOT
from lib.tasks import Item, Task

REFERENCES_FILE = REPO_ROOT / "data" / "scoreboard_references.json"
ANSWER_TOKENS = 80  # the longest meaning representation in either held-out set is 73 tokens
COT_TOKENS = 192  # room for the reasoning before the representation


@dataclass(frozen=True)
class Rung:
    name: str
    kind: str  # "prompt" | "cot" | "rag" | "lora"
    k: int = 0

    @property
    def seeded(self) -> bool:
        return self.kind == "prompt" and self.k > 0


RUNGS = (Rung("zero-shot", "prompt"), Rung("1-shot", "prompt", 1), Rung("4-shot", "prompt", 4),
         Rung("8-shot", "prompt", 8), Rung("chain-of-thought", "cot"), Rung("RAG shots (k=4)", "rag", 4),
         Rung("LoRA adapter", "lora"))


# The LoRA rung: on the bundled chat model, the base every other rung runs on, trained on the generated data the
# held-out sets below are measured against (joined with the real corpus's training split; adapters/
# viggo-real-mixed/README.md).
ADAPTER = "viggo-real-mixed"
# The held-out sets the ladder is measured on (lora.TEST_SETS). Not yet the real ViGGO test set: its few-shot and
# RAG-shot rungs should draw their shots from the real training split, which needs its own embedded shot pool.
SETS = ("generated", "people")


def viggo_task(items: int, held_out: str = "generated") -> Task:
    """The prompting lab's ViGGO instruction, the LoRA lab's training pairs as shot pool, a held-out set
    (lora.TEST_SETS)."""
    base = tasks.load("viggo")
    to_items = lambda pairs: tuple(Item(input=p["input"], output=p["target"]) for p in pairs)  # noqa: E731
    return Task(name="viggo-scoreboard", title="ViGGO scoreboard", instruction=base.instruction, scorer="mr",
                examples=to_items(lora.load_pairs(lora.TRAIN_FILE)),
                test=to_items(lora.load_pairs(lora.TEST_SETS[held_out])[:items]))


def nearest_shots(task: Task, embed: Callable[[list[str]], np.ndarray], k: int) -> list[list[Item]]:
    """For each test sentence, the k most similar training pairs (cosine on unit vectors), most similar last."""
    import faiss

    pool = embed([e.input for e in task.examples]).astype(np.float32)
    index = faiss.IndexFlatIP(pool.shape[1])
    index.add(pool)
    _, found = index.search(embed([t.input for t in task.test]).astype(np.float32), k)
    # Most similar nearest the question: small models lean on the latest example.
    return [[task.examples[i] for i in reversed(row)] for row in found]


def _rows(rung: Rung, seed: int, task: Task, outputs: list[str]) -> list[dict]:
    return [{"technique": rung.name, "seed": seed, "input": t.input, "expected": t.output, "output": o,
             "exact": float(meaning.exact_match(o, t.output)), "slot_f1": meaning.slot_f1(o, t.output)}
            for t, o in zip(task.test, outputs)]


def run(items: int, seeds: int, chat, adapter, embedder, rungs: tuple[Rung, ...] = RUNGS,
        progress: Callable[[float], None] = lambda _f: None, held_out: str = "generated") -> dict:
    """Every rung on the same held-out sentences: the prompting rungs answered by the `chat` backend, the LoRA rung
    by the `adapter` backend (backends.py), the RAG shots found with `embedder`'s embeddings."""
    from lib.generation import GenerationSettings

    task = viggo_task(items, held_out)
    embed = lambda texts: embedded(embedder, tuple(texts))  # noqa: E731
    answer_all = lambda conversations, budget: chat.answer_all(conversations, GenerationSettings(max_new_tokens=budget))  # noqa: E731
    jobs = [(rung, seed) for rung in rungs for seed in (range(seeds) if rung.seeded else [0])]
    rows: list[dict] = []
    for done, (rung, seed) in enumerate(jobs, start=1):
        if rung.kind == "lora":
            outputs = lora.answers(adapter, [t.input for t in task.test], ANSWER_TOKENS)
        elif rung.kind == "rag":
            conversations = [prompting.build_messages(task, shots, t.input)
                             for t, shots in zip(task.test, nearest_shots(task, embed, rung.k))]
            outputs = answer_all(conversations, ANSWER_TOKENS)
        else:
            cot = "zero" if rung.kind == "cot" else "none"
            shots = prompting.pick_shots(task, rung.k, seed)
            outputs = answer_all([prompting.build_messages(task, shots, t.input, cot) for t in task.test],
                                 COT_TOKENS if cot == "zero" else ANSWER_TOKENS)
        rows += _rows(rung, seed, task, outputs)
        progress(done / len(jobs))
    return {"items": len(task.test), "seeds": seeds, "adapter": getattr(adapter, "adapter", adapter.name),
            "summary": summarize(rows), "rows": rows}


CHART_TITLE = "Every technique on the same held-out sentences"


def said(result: dict) -> str:
    """The ladder in words, from its rows: the leader against the runner-up by lib.effects' rule, and what the
    scoreboard's adapter was trained on."""
    from lib import effects

    names = list(dict.fromkeys(r["technique"] for r in result["rows"]))
    best, effect = effects.leader(result["rows"], names, measure="exact", by="technique")
    engines = result.get("engines", {})
    ran = (f"The prompting rungs ran on {engines['prompting rungs']}, the LoRA rung on {engines['LoRA rung']}."
           if engines else "The LoRA rung runs on PyTorch (float32), as every adapter here does.")
    return (f"Exact match, highest first: {effect.said()} {ran} The LoRA rung is `{result['adapter']}`, "
            "an adapter on the same SmolLM2 as every other rung; its model card says what it was trained on.")


def summarize(rows: list[dict]) -> list[dict]:
    """Per technique: the mean over seeds of exact match and slot F1, with the spread across seeds."""
    return experiments.over_seeds(rows, "technique", {"exact_match": "exact", "slot_f1": "slot_f1"})


def references() -> list[dict]:
    return json.loads(REFERENCES_FILE.read_text(encoding="utf-8"))["references"]


_EMBEDDED: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}
ON_DISK_FROM = 256  # lists this long (the shot pool) are also kept on disk, in the lab's cache


def _on_disk(model: str, texts: tuple[str, ...]) -> Path:
    from lib import models

    digest = hashlib.sha1("\n".join((Path(model).name, *texts)).encode("utf-8")).hexdigest()[:16]
    return models.cache_dir() / "embeddings" / f"{digest}.npy"


def shot_pool_is_embedded() -> bool:
    """Whether the shot pool's embeddings by the bundled model are in the lab's cache (the tests prepare them)."""
    from lib import models

    return _on_disk(str(models.embedding_model_path()), tuple(e.input for e in viggo_task(1).examples)).is_file()


def embedded(embedder, texts: tuple[str, ...]) -> np.ndarray:
    """The texts' embeddings, kept per process and, for the shot pool, on disk: the 4,000-pair pool takes ~40 s to
    embed on 2 cores, and every recompute (any session's, any CLI's, any test's) embeds the same pool with the same
    model. Keyed by the model, not the embedder object: each CLI run loads its own. Only the last few are kept."""
    model = str(getattr(embedder, "model_name", id(embedder)))
    key = (model, texts)
    if key not in _EMBEDDED:
        if len(_EMBEDDED) >= 4:
            _EMBEDDED.pop(next(iter(_EMBEDDED)))
        path = _on_disk(model, texts)
        if len(texts) >= ON_DISK_FROM and path.is_file():
            _EMBEDDED[key] = np.load(path)
        else:
            _EMBEDDED[key] = rag.embed_texts(embedder, list(texts))
            if len(texts) >= ON_DISK_FROM:
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_suffix(".partial.npy")
                np.save(partial, _EMBEDDED[key])
                partial.replace(path)  # whole or absent: a second process never reads half a file
    return _EMBEDDED[key]
