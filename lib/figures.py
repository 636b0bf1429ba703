"""Measured figures in prose, rendered from the stored results: remaking a result rewrites the sentence.

A sentence names where each figure comes from with a placeholder:

    {{prompting/helpdesk#summary.condition=4-shot.accuracy|pct}}  → "36%"   (a stored result, data/results/)
    {{ref:chain_of_thought.0.after|num}}                          → "56.9"  (a published figure, data/references.json)
    {{effect:prompting/helpdesk#zero-shot>4-shot}}                → the comparison in words, by lib.effects' rule
    {{adapter:viggo#steps}}                                       → how a bundled adapter was trained

A path walks the JSON: a key, a list index, or `field=value` (the first list entry whose field is that value).
Formats: pct (0.356 → 36%), pct1 (35.6%), f2 (0.90), num (as stored), int (1,234).

`unbound_numbers(text)` lists the numbers a text states outside placeholders and outside ALLOWED (data/prose_numbers.json):
the test over every prose file fails on a figure typed in by hand. What it leaves out: numbers made at run time
by code (f-strings over live values), which come from the numbers by construction.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from lib.models import REPO_ROOT

PLACEHOLDER = re.compile(r"\{\{(.+?)\}\}")
REFERENCES = REPO_ROOT / "data" / "references.json"
ALLOWED_FILE = REPO_ROOT / "data" / "prose_numbers.json"
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


class FigureError(ValueError):
    """A placeholder that names no stored figure; the message says which."""


@lru_cache(maxsize=64)
def _json(path: Path, mtime: float) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _load(path: Path) -> dict:
    if not path.is_file():
        raise FigureError(f"{path.relative_to(REPO_ROOT)} is not stored (make results makes it)")
    return _json(path, path.stat().st_mtime)


def references() -> dict:
    """The published figures the pages cite (data/references.json), each with its source."""
    return _load(REFERENCES)


def result(name: str) -> dict:
    from lib.experiments import RESULTS_DIR

    return _load(RESULTS_DIR / f"{name}.json")


def walk(data, path: str):
    """The value at a dotted path: keys, list indexes, or field=value (first list entry whose field is value)."""
    value = data
    for part in path.split(".") if path else []:
        if isinstance(value, list) and "=" in part:
            key, wanted = part.split("=", 1)
            value = next((v for v in value if isinstance(v, dict) and str(v.get(key)) == wanted), None)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            value = None
        if value is None:
            raise FigureError(f"nothing at {path!r} (stopped at {part!r})")
    return value


FORMATS = {"pct": lambda v: f"{v:.0%}", "pct1": lambda v: f"{v:.1%}", "f2": lambda v: f"{v:.2f}",
           "num": lambda v: f"{v:g}" if isinstance(v, float) else str(v), "int": lambda v: f"{v:,.0f}"}


def _effect(spec: str) -> str:
    from lib import effects, tasks

    name, pair = spec.split("#", 1)
    first, second = pair.split(">", 1)
    stored = result(name)
    rows = stored["rows"]
    labels = tasks.load(stored["task"]).labels if "task" in stored else ()
    # prompting results: condition/score; the scoreboard: technique/exact (exact match)
    by, measure = ("technique", "exact") if rows and "technique" in rows[0] else ("condition", "score")
    return effects.compare(rows, first, second, labels, measure, by).said()


def figure(spec: str) -> str:
    """One placeholder's text (without its braces)."""
    spec, _, fmt = spec.partition("|")
    fmt = fmt or "num"
    if fmt not in FORMATS:
        raise FigureError(f"unknown format {fmt!r} in {spec!r}: one of {', '.join(FORMATS)}")
    if spec.startswith("effect:"):
        return _effect(spec.removeprefix("effect:"))
    if spec.startswith("ref:"):
        value = walk(references(), spec.removeprefix("ref:"))
    elif spec.startswith("adapter:"):  # how a bundled adapter was trained (its lab_settings.json)
        name, _, path = spec.removeprefix("adapter:").partition("#")
        value = walk(_load(REPO_ROOT / "adapters" / name / "lab_settings.json"), path)
    else:
        name, _, path = spec.partition("#")
        value = walk(result(name), path)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    return FORMATS[fmt](value)


def render(text: str) -> str:
    """The text with each placeholder replaced by its figure."""
    return PLACEHOLDER.sub(lambda m: figure(m.group(1).strip()), text)


@lru_cache(maxsize=1)
def allowed() -> tuple[str, ...]:
    """Phrases whose numbers are not measured figures (a setting, a model's name, a citation), each with a reason."""
    return tuple(entry["phrase"] for entry in json.loads(ALLOWED_FILE.read_text(encoding="utf-8"))["allowed"])


def unbound_numbers(text: str) -> list[str]:
    """The numbers `text` states by hand: outside placeholders and outside the allowed phrases."""
    stripped = PLACEHOLDER.sub(" ", text)
    for phrase in sorted(allowed(), key=len, reverse=True):
        stripped = stripped.replace(phrase, " ")
    return NUMBER.findall(stripped)
