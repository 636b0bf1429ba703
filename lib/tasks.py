"""Prompting tasks: the documented file format, the built-in tasks, and user-made ones.

A task file is JSON:

    {"name": "sentiment", "instruction": "Classify …",
     "scorer": "label" | "number" | "json_fields" | "mr" | "exact",   (optional, default "exact")
     "labels": ["positive", "negative"],                              (for "label")
     "examples": [{"input": "…", "output": "…", "rationale": "…"}, …],  (the shot pool; rationale optional)
     "test":     [{"input": "…", "output": "…"}, …]}                   (held out, for evaluation)

A CSV works too: columns input, output, optional rationale and split ("example"/"test");
without a split column the first half becomes the shot pool.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from lib import fields

TASK_DIR = Path(__file__).resolve().parent.parent / "data" / "tasks"
SCORERS = ("label", "number", "json_fields", "mr", "exact")
MAX_ITEMS = 500
MAX_FIELD_CHARS = 4000
MAX_FILE_BYTES = 2 * 2**20


class TaskError(ValueError):
    """A task file that can't be used; the message says what to fix."""


@dataclass(frozen=True)
class Item:
    input: str
    output: str
    rationale: str = ""


@dataclass(frozen=True)
class Task:
    name: str
    instruction: str
    examples: tuple[Item, ...]
    test: tuple[Item, ...]
    scorer: str = "exact"
    labels: tuple[str, ...] = ()
    title: str = field(default="", compare=False)

    @property
    def has_rationales(self) -> bool:
        return any(item.rationale for item in self.examples)


def _text(value, what: str) -> str:
    return fields.text(value, what, TaskError)


def _items(raw, where: str) -> tuple[Item, ...]:
    if not isinstance(raw, list):
        raise TaskError(f"'{where}' must be a list of {{\"input\", \"output\"}} objects.")
    items = []
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or "output" not in entry:
            raise TaskError(f"'{where}' item {number} needs a non-empty \"input\" and an \"output\".")
        fields = [_text(entry.get(key), f"'{where}' item {number}: \"{key}\"") for key in ("input", "output", "rationale")]
        if not fields[0].strip():
            raise TaskError(f"'{where}' item {number} needs a non-empty \"input\" and an \"output\".")
        if any(len(f) > MAX_FIELD_CHARS for f in fields):
            raise TaskError(f"'{where}' item {number} is longer than {MAX_FIELD_CHARS:,} characters.")
        items.append(Item(*fields))
    return tuple(items)


def from_dict(data: dict) -> Task:
    if not isinstance(data, dict):
        raise TaskError("A task file must hold one JSON object with \"instruction\", \"examples\" and \"test\".")
    examples, test = _items(data.get("examples"), "examples"), _items(data.get("test"), "test")
    if not examples or not test:
        raise TaskError("A task needs at least one example (the shot pool) and one test item.")
    if len(examples) + len(test) > MAX_ITEMS:
        raise TaskError(f"A task may have at most {MAX_ITEMS} items.")
    scorer = data.get("scorer", "exact")
    if not isinstance(scorer, str) or scorer not in SCORERS:
        raise TaskError(f"Unknown scorer {_text(str(scorer)[:40], 'scorer')!r}; use one of {', '.join(SCORERS)}.")
    raw_labels = data.get("labels", [])
    if not isinstance(raw_labels, list):
        raise TaskError("\"labels\" must be a list of label words.")
    labels = tuple(_text(x, "each label") for x in raw_labels)
    if scorer == "label" and not labels:
        raise TaskError("The 'label' scorer needs a \"labels\" list.")
    name = _text(data.get("name", "custom"), "\"name\"") or "custom"
    return Task(name, _text(data.get("instruction", ""), "\"instruction\"").strip(), examples, test,
                scorer, labels, _text(data.get("title", name), "\"title\""))


def from_csv(text: str) -> Task:
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as error:
        raise TaskError(f"The CSV can't be read: {error}.") from error
    if not rows or not {"input", "output"} <= set(rows[0]):
        raise TaskError("A task CSV needs a header with at least the columns input and output.")
    if "split" in rows[0]:
        # A short row leaves its missing cells None: no split means a shot, not a crash.
        examples = [r for r in rows if (r.get("split") or "").strip().lower() != "test"]
        test = [r for r in rows if (r.get("split") or "").strip().lower() == "test"]
    else:
        examples, test = rows[: len(rows) // 2], rows[len(rows) // 2 :]
    return from_dict({"name": "custom", "instruction": "", "examples": examples, "test": test})


def from_upload(name: str, data: bytes) -> Task:
    """A task from an uploaded .json or .csv file. Raises TaskError with a readable reason."""
    if not data.strip():
        raise TaskError(f"{name} is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise TaskError(f"{name} is {len(data) / 2**20:.1f} MB; a task file may be at most {MAX_FILE_BYTES // 2**20} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TaskError(f"{name} is not UTF-8 text.") from error
    if name.lower().endswith(".csv"):
        return from_csv(text)
    try:
        return from_dict(json.loads(text))
    except json.JSONDecodeError as error:
        raise TaskError(f"{name} is not valid JSON (line {error.lineno}: {error.msg}).") from error
    except RecursionError as error:
        raise TaskError(f"{name} nests its JSON too deeply to be a task file.") from error


def builtin_names() -> list[str]:
    return sorted(p.stem for p in TASK_DIR.glob("*.json"))


@functools.lru_cache(maxsize=None)
def builtin(name: str) -> Task:
    """A built-in task, read once per process (pages ask for them on every rerun; Task is immutable)."""
    return load(name)


def load(name_or_path: str) -> Task:
    """A built-in task by name (sentiment, intent, extraction, arithmetic, viggo) or any task file path."""
    path = TASK_DIR / f"{name_or_path}.json" if name_or_path in builtin_names() else Path(name_or_path)
    if not path.is_file():
        raise TaskError(f"No task named '{name_or_path}' (built in: {', '.join(builtin_names())}).")
    return from_upload(path.name, path.read_bytes())
