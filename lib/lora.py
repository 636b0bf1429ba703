"""LoRA on the bundled model: the data, the arithmetic, answering with adapters, and evaluation.

    >>> pairs = load_pairs(TEST_FILE)
    >>> trainable_parameters(module_shapes(model), rank=8, targets=["q_proj", "v_proj"])
    >>> server = lora_serving.server_holding("viggo")
    >>> evaluate(server.backend(None), server.backend("viggo"), pairs)   # exact match and slot F1, base vs adapter

Training is in `lora_training.py`, looking inside an adapter (ΔW, merging) in `lora_inspect.py`.

CLI (same code as the pages):
    python -m lib.cli.lora train --steps 360 --examples 3000 --out adapters/viggo   # see the adapter's model card
    python -m lib.cli.lora eval --adapter viggo --set people --json                 # or --set generated, --set dev
"""

from __future__ import annotations

import json
from pathlib import Path

from lib import figures, meaning, schema
from lib.models import REPO_ROOT

TRAIN_FILE = REPO_ROOT / "data" / "viggo" / "train.jsonl"
TEST_FILE = REPO_ROOT / "data" / "viggo" / "test.jsonl"
# The real ViGGO corpus (Juraska et al. 2019, data/viggo_real/README.md): adapters are chosen on its valid split;
# its test split is measured once, after choosing.
REAL_DIR = REPO_ROOT / "data" / "viggo_real"
# Three held-out sets, the first the main one: the real corpus's test split (crowd-written), sentences about real
# games written by hand in ViGGO's style apart from the generator (used to train or tune nothing), and the
# generator's own (other games, the same templates).
TEST_SETS = {"real": REAL_DIR / "test.jsonl", "people": REPO_ROOT / "data" / "viggo" / "people.jsonl",
             "generated": TEST_FILE}
SET_LABELS = {"real": "real ViGGO test (crowd-written)", "people": "written by people (real games)",
              "generated": "generated (the lab's templates, other games)"}
# A hand-written set, other real games, for tuning the generator's templates against; the people set stays
# untouched by that. The CLI scores it (--set dev), and the real corpus's valid split (--set real-valid).
DEV_FILE = REPO_ROOT / "data" / "viggo" / "dev.jsonl"
EVAL_SETS = TEST_SETS | {"dev": DEV_FILE, "real-valid": REAL_DIR / "valid.jsonl"}
ADAPTER_DIR = REPO_ROOT / "adapters"
# The ViGGO adapters the LoRA pages offer, the first the page's default: on the bundled chat model trained on the
# real corpus (chosen on its valid split over the same run with the generated pairs added, adapters/
# viggo-real-mixed, which is the scoreboard's LoRA rung), on the bundled chat model and the generated data's
# first version, and on the bundled pretrained-only Gemma 3 270M (twice the parameters) and the broadened generated
# data, which carries furthest to people's sentences (see each adapter's model card).
BUNDLED = {"viggo-real": ADAPTER_DIR / "viggo-real", "viggo": ADAPTER_DIR / "viggo",
           "viggo-gemma": ADAPTER_DIR / "viggo-gemma"}
# Every adapter the app serves: the ViGGO ones, the scoreboard's LoRA rung, the read-and-answer adapter (the RAG
# and Summary pages') and the instruction-following one (the SFT page's one model before and after).
SERVED = BUNDLED | {"viggo-real-mixed": ADAPTER_DIR / "viggo-real-mixed", "form": ADAPTER_DIR / "form",
                    "sft": ADAPTER_DIR / "sft"}
INSTRUCTION = "Convert the sentence to a meaning representation."
ALL_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
MAX_PAIRS = 5000
MAX_PAIR_CHARS = 3000  # room for a RAG prompt with four 128-token passages (the read-and-answer adapter's data)


class DataError(ValueError):
    """A training file that can't be used; the message says what to fix."""


class Pair(schema.Record):
    """A line of a training file: a sentence and the text the model should learn to answer it with."""
    input: schema.Text
    target: schema.Text


def messages_for(sentence: str, instruction: str = INSTRUCTION) -> list[dict[str, str]]:
    return [{"role": "system", "content": instruction}, {"role": "user", "content": sentence}]


def parse_pairs(text: str, limit: int | None = MAX_PAIRS) -> list[dict[str, str]]:
    """JSONL of {"input", "target"}; raises DataError naming the first bad line. `limit` caps an upload's pairs
    (the lab's own files, e.g. real ViGGO's 5,103 training pairs, are read whole)."""
    pairs = []
    for number, row in schema.jsonl(text, Pair, DataError):
        pair = {"input": row.input.strip(), "target": row.target.strip()}
        if not pair["input"] or not pair["target"]:
            raise DataError(f"line {number}: \"input\" and \"target\" must not be empty.")
        if len(pair["input"]) + len(pair["target"]) > MAX_PAIR_CHARS:
            raise DataError(f"line {number}: the pair is longer than {MAX_PAIR_CHARS:,} characters.")
        pairs.append(pair)
    if len(pairs) < 8:
        raise DataError(f"Found {len(pairs)} pairs; training needs at least 8.")
    if limit is not None and len(pairs) > limit:
        raise DataError(f"Found {len(pairs):,} pairs; the limit here is {limit:,}.")
    return pairs


def load_pairs(path: Path) -> list[dict[str, str]]:
    return parse_pairs(Path(path).read_text(encoding="utf-8"), limit=None)


def module_shapes(model) -> dict[str, tuple[int, int, int]]:
    """{module name: (in_features, out_features, how many)} for each LoRA-able projection in the model."""
    shapes: dict[str, list] = {}
    for name, module in model.named_modules():
        leaf = name.rsplit(".", 1)[-1]
        if leaf in ALL_TARGETS:
            entry = shapes.setdefault(leaf, [module.in_features, module.out_features, 0])
            entry[2] += 1
    return {k: tuple(v) for k, v in shapes.items()}


def trainable_parameters(shapes: dict[str, tuple[int, int, int]], rank: int, targets) -> dict[str, int]:
    """LoRA adds A (r × in) and B (out × r) to each targeted matrix: r · (in + out) per matrix."""
    return {t: rank * (shapes[t][0] + shapes[t][1]) * shapes[t][2] for t in targets}


def answers(backend, sentences: list[str], max_new_tokens: int = 48, instruction: str = INSTRUCTION) -> list[str]:
    """Greedy meaning representations from any backend (backends.py): an adapter's, its base model's, a model as
    it is (merged, or in training: `as_backend`). A meaning representation is one line; a pretrained model's
    backend ends its answer there (it would go on with a made-up next "Input:")."""
    from lib.generation import GenerationSettings

    return backend.answer_all([messages_for(s, instruction) for s in sentences],
                              GenerationSettings(max_new_tokens=max_new_tokens))


def as_backend(model, tokenizer, name: str = "LoRA model"):
    """A model as it is (merged, or in training, no adapter chosen per call) behind the one answer interface."""
    from lib.backends import LocalBackend
    from lib.models import LoadedModel

    return LocalBackend(LoadedModel(name, model, tokenizer, 0.0, False))


def serving_model(adapters: dict[str, Path], base_model: str = ""):
    """A second copy of the base model (the bundled one unless `base_model` names a folder) holding every adapter
    by name; pick one per call with `adapter_names`."""
    from peft import PeftModel

    from lib import models

    base, tokenizer = models.load_causal_lm(models.model_folder(base_model))
    items = list(adapters.items())
    model = PeftModel.from_pretrained(base, str(items[0][1]), adapter_name=items[0][0])
    for name, path in items[1:]:
        model.load_adapter(str(path), adapter_name=name)
    model.eval()
    return model, tokenizer


def merged_backend(adapter: Path, name: str):
    """A fresh copy of the adapter's base model with the adapter added into its weights for good
    (`merge_and_unload`): what serving one adapter costs, with no per-call adapter work."""
    model, tokenizer = serving_model({name: Path(adapter)}, base_model_of(adapter))
    return as_backend(model.merge_and_unload(), tokenizer, f"LoRA '{name}', merged")


def base_parameters(model) -> int:
    """The base model's parameters in a model that may carry LoRA adapters (theirs left out; tied weights once)."""
    return sum(p.numel() for name, p in model.named_parameters() if "lora_" not in name)


def stored_run(adapter: str, held_out: str) -> str:
    """The registry name of a bundled adapter's stored evaluation on a held-out set (TEST_SETS)."""
    return f"lora/{adapter}" + {"generated": "", "people": "-people", "real": "-real-test"}[held_out]


def beside_published(result: dict, published: list[dict]) -> str:
    """An adapter's stored run on the real test set in words, beside the published ViGGO figures (the
    scoreboard's references): what a model of this size reaches against ones tens of times larger."""
    from lib import experiments

    (entry,) = experiments.over_seeds([r | {"who": "adapter"} for r in result["lora"]["rows"]], "who",
                                      {"exact_match": "exact", "slot_f1": "slot_f1"})
    size = result["base_parameters"]
    ours = (f"On all {result['items']:,} sentences of the real test set, the `{Path(result['adapter']).name}` "
            f"adapter on {result['base_model']} ({size / 1e6:.0f}M parameters) gets {entry['exact_match']:.1%} "
            f"exactly right (95 % interval {entry['exact_match_low']:.1%}–{entry['exact_match_high']:.1%}), "
            f"slot F1 {entry['slot_f1']:.3f}.")
    theirs = [f"{ref['technique']} {ref['exact_match']:.0%} ({ref['parameters'] / size:.0f} times the parameters)"
              for ref in published]
    return ours + (" Reported by Anyscale on ViGGO's test set (summarised secondhand, not checked against a "
                   "paper): " + "; ".join(theirs) + "." if theirs else "")


def run_settings(adapter: Path) -> dict:
    """The settings an adapter's training run recorded (lab_settings.json); {} when it recorded none."""
    settings = Path(adapter) / "lab_settings.json"
    return json.loads(settings.read_text(encoding="utf-8")) if settings.is_file() else {}


def model_card(adapter: Path) -> str:
    """The adapter's model card (README.md) without its YAML front matter; "" when it has none (the lab's own
    trained adapters)."""
    card = Path(adapter) / "README.md"
    text = card.read_text(encoding="utf-8") if card.is_file() else ""
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[-1]
    return figures.render(text.strip())  # its measured figures are placeholders bound to stored results


def base_model_of(adapter: Path) -> str:
    """The model an adapter was trained on, as its run recorded it, in serving_model's terms: "" for the bundled
    chat model (also when the run recorded none)."""
    from lib.models import BUNDLED_CHAT_NAME

    name = run_settings(adapter).get("base_model", "")
    return "" if name == BUNDLED_CHAT_NAME else name


def served_on(base_model: str) -> dict[str, Path]:
    """The served adapters trained on `base_model` ("" = the bundled chat model): what one LoraServer holds."""
    return {name: path for name, path in SERVED.items() if base_model_of(path) == base_model}


UNPARSED = "(unparsed)"  # an expected representation the parser cannot read: counted apart, never dropped
EVAL_TOKENS = 80  # the longest meaning representation in any held-out set (real ViGGO test) is 80 tokens


def score_rows(pairs: list[dict[str, str]], outputs: list[str]) -> dict:
    rows = [{"input": p["input"], "expected": p["target"], "output": o,
             "exact": meaning.exact_match(o, p["target"]), "slot_f1": meaning.slot_f1(o, p["target"])}
            for p, o in zip(pairs, outputs)]
    return summarize(rows) | {"rows": rows}


def summarize(rows: list[dict]) -> dict:
    return {"exact_match": sum(r["exact"] for r in rows) / len(rows), "slot_f1": sum(r["slot_f1"] for r in rows) / len(rows)}


def per_act(rows: list[dict]) -> list[dict]:
    """Exact match and slot F1 for each dialogue act of the expected representations (the schema's order), with
    their 95 % intervals over sentences (lib.experiments.over_seeds, the rule every chart's whisker uses)."""
    from lib import experiments

    tagged = [r | {"act": (meaning.parse(r["expected"]) or (UNPARSED,))[0]} for r in rows]
    table = {entry["act"]: entry for entry in
             experiments.over_seeds(tagged, "act", {"exact_match": "exact", "slot_f1": "slot_f1"})}
    return [table[act] | {"items": sum(r["act"] == act for r in tagged)}
            for act in (*meaning.ACTS, UNPARSED) if act in table]


def choose(runs: dict[str, dict]):
    """Two adapters' stored runs on the same sentences (a valid split), {name: result}: the one with the higher
    exact match, and the second against the first by lib.effects' rule (whether the gap is measurable)."""
    from lib import effects

    (first, a), (second, b) = runs.items()
    rows = [r | {"condition": name} for name, run in runs.items() for r in run["lora"]["rows"]]
    effect = effects.compare(rows, first, second, measure="exact")
    return (second if b["lora"]["exact_match"] > a["lora"]["exact_match"] else first), effect


def evaluate(base, adapted, pairs: list[dict[str, str]]) -> dict:
    """Exact match (slot order ignored) and slot F1 on the same pairs: a base model's backend (or None) vs an
    adapter's."""
    sentences = [p["input"] for p in pairs]
    result = {"items": len(pairs), "adapter": getattr(adapted, "adapter", adapted.name)}
    if base is not None:  # None: the adapter alone (choosing among adapters on a valid set needs no base run)
        result["base"] = score_rows(pairs, answers(base, sentences, EVAL_TOKENS))
    return result | {"lora": score_rows(pairs, answers(adapted, sentences, EVAL_TOKENS))}
