"""The shipped experiments: every result a page shows, declared once in data/experiments.json.

    >>> exp = experiments.get("prompting/intent")
    >>> exp.command                      # how it was made: python -m lib.cli.prompting eval --task intent ... --save ...
    >>> exp.load()                       # the stored result (its "settings" say how it was made), or None
    >>> experiments.differences(exp.load()["settings"], {"engine": "reference", "items": 20})
    ['engine: fast (stored) vs reference (yours)']

A page shows a stored result only when its own settings match the stored ones (`differences` is empty);
otherwise it says what differs and offers to measure live. Each experiment's module (lib/cli/) has a CLI,
`main(argv)`, that writes the result with `--save PATH`; the same CLI with the experiment's short `check`
arguments makes the first rows again, which the tests compare with the stored ones.

`python -m lib.cli.experiments [NAME ...] [--list]` regenerates every result (or the named ones); `make results`
runs it.
"""

from __future__ import annotations

import importlib
import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from lib.models import REPO_ROOT

REGISTRY = REPO_ROOT / "data" / "experiments.json"
RESULTS_DIR = REPO_ROOT / "data" / "results"


@dataclass(frozen=True)
class Experiment:
    name: str
    module: str
    args: tuple[str, ...]
    check: tuple[str, ...]  # appended to args: the same code on the first few items
    settings: dict
    minutes: float
    shown_on: str

    @property
    def result_file(self) -> Path:
        return RESULTS_DIR / f"{self.name}.json"

    @property
    def command(self) -> str:
        return " ".join(["python -m", self.module, *self.args, "--save", str(self.result_file.relative_to(REPO_ROOT))])

    def load(self) -> dict | None:
        return json.loads(self.result_file.read_text(encoding="utf-8")) if self.result_file.is_file() else None

    def run(self, save: Path, extra: tuple[str, ...] = ()) -> dict:
        """Run the experiment's CLI in this process and return what it saved."""
        importlib.import_module(self.module).main([*self.args, *extra, "--save", str(save), "--json"])
        return json.loads(save.read_text(encoding="utf-8"))


def all_experiments() -> list[Experiment]:
    declared = json.loads(REGISTRY.read_text(encoding="utf-8"))["experiments"]
    return [Experiment(d["name"], d["module"], tuple(d["args"]), tuple(d["check"]), d["settings"], d["minutes"],
                       d["shown_on"]) for d in declared]


def get(name: str) -> Experiment | None:
    return next((e for e in all_experiments() if e.name == name), None)


def load(name: str) -> dict | None:
    experiment = get(name)
    return experiment.load() if experiment else None


def differences(stored: dict, yours: dict) -> list[str]:
    """What differs between the settings a result was made with and the ones a page would use (keys of `yours`)."""
    return [f"{key.replace('_', ' ')}: {stored.get(key, 'not recorded')} (stored) vs {value} (yours)"
            for key, value in yours.items() if stored.get(key) != value]


def matching(name: str, yours: dict, summarize) -> tuple[dict | None, list[str]]:
    """The stored result of `name` as a page with settings `yours` would measure it, or None and what differs.

    Fewer items or seeds than stored is a match: the first rows are what the page would make (the tests
    check that), and `summarize(rows)` recomputes the summary over them."""
    experiment = get(name)
    result = experiment.load() if experiment else None
    if result is None:
        return None, ["nothing is stored for this" + (f" yet (`{experiment.command}` makes it)" if experiment else "")]
    stored = result.get("settings", {})
    exact = {k: v for k, v in yours.items() if k not in ("items", "seeds")}
    fewer = {k: v for k, v in yours.items() if k in ("items", "seeds") and (k not in stored or v > stored[k])}
    differ = differences(stored, exact) + differences(stored, fewer)
    if differ:
        return None, differ
    return restrict(result, yours.get("items"), yours.get("seeds"), summarize), []


def restrict(result: dict, items: int | None, seeds: int | None, summarize) -> dict:
    """The result over its first `items` inputs and seeds below `seeds`, summaries recomputed."""
    def keep(rows: list[dict]) -> list[dict]:
        item = "input" if rows and "input" in rows[0] else "question"  # what a row is about
        inputs = set(list(dict.fromkeys(r[item] for r in rows))[:items]) if items else None
        return [r for r in rows if (inputs is None or r[item] in inputs) and (seeds is None or r.get("seed", 0) < seeds)]

    settings = dict(result.get("settings", {}))
    settings |= {k: v for k, v in (("items", items), ("seeds", seeds)) if v is not None and k in settings}
    out = dict(result) | {"settings": settings}
    out |= {k: v for k, v in (("items", items), ("seeds", seeds)) if v is not None and k in result}
    if "rows" in result:
        out["rows"] = keep(result["rows"])
        out["summary"] = summarize(out["rows"])
    for part in ("base", "lora"):
        if part in result:
            rows = keep(result[part]["rows"])
            out[part] = {"rows": rows} | summarize(rows)
    return out


def over_seeds(rows: list[dict], by: str, measures: dict[str, str]) -> list[dict]:
    """Per value of `by` (in order of appearance): each measure's mean over seeds, its spread across seeds, and
    (rows that name their "input") its 95 % interval over items and seeds: NAME_low, NAME_high.

    `measures` maps a summary name to the row field it averages, e.g. {"accuracy": "score"}. Each seed's
    rows are averaged first, so every shot sampling counts once. Keys: NAME, NAME_std, NAME_min, NAME_max, seeds."""
    out = []
    for value in dict.fromkeys(r[by] for r in rows):
        per_seed: dict[int, list[dict]] = {}
        for r in (r for r in rows if r[by] == value):
            per_seed.setdefault(r.get("seed", 0), []).append(r)
        entry: dict = {by: value, "seeds": len(per_seed)}
        for name, field in measures.items():
            means = [statistics.mean(r[field] for r in seed_rows) for seed_rows in per_seed.values()]
            entry |= {name: statistics.mean(means), f"{name}_std": statistics.pstdev(means) if len(means) > 1 else 0.0,
                      f"{name}_min": min(means), f"{name}_max": max(means)}
            if all("input" in r for r in rows):  # the 95 % interval over items and whole seeds (lib.effects)
                from lib import effects

                entry[f"{name}_low"], entry[f"{name}_high"] = effects.interval(
                    [r for r in rows if r[by] == value], value, field, by)
        out.append(entry)
    return out


def rows_of(result: dict) -> list[dict]:
    """Every per-item row in a result, wherever its CLI puts them (top level, or per model)."""
    if "rows" in result:
        return result["rows"]
    return [row for part in ("base", "lora") if part in result for row in result[part]["rows"]]
