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
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from lib import schema
from lib.schema import Text

TASK_DIR = Path(__file__).resolve().parent.parent / "data" / "tasks"
SCORERS = ("label", "number", "json_fields", "mr", "exact")
MAX_ITEMS = 500
MAX_FIELD_CHARS = 4000
MAX_FILE_BYTES = 2 * 2**20


class TaskError(ValueError):
    """A task file that can't be used; the message says what to fix."""


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _a_scorer(value: str) -> str:
    if value not in SCORERS:  # repeated as written (short): the page shows messages as text, never as markup
        raise ValueError(f"unknown scorer {value[:40]!r}; use one of {', '.join(SCORERS)}")
    return value


FieldText = Annotated[Text, Field(max_length=MAX_FIELD_CHARS)]


class Item(schema.Record):
    input: Annotated[FieldText, AfterValidator(_not_blank)]
    output: FieldText
    rationale: FieldText = ""


class Task(schema.Record):
    name: Text = "custom"
    instruction: Annotated[Text, AfterValidator(str.strip)] = ""
    examples: tuple[Item, ...] = Field(min_length=1)  # the shot pool
    test: tuple[Item, ...] = Field(min_length=1)  # held out, for evaluation
    scorer: Annotated[Text, AfterValidator(_a_scorer)] = "exact"
    labels: tuple[Text, ...] = ()
    title: Text = ""

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data):
        # A task without a name is "custom", and its title is its name unless it has one.
        if isinstance(data, dict):
            name = data.get("name") or "custom"
            data = {**data, "name": name, "title": data.get("title") or name}
        return data

    @model_validator(mode="after")
    def _whole(self):
        if self.scorer == "label" and not self.labels:
            raise ValueError('the "label" scorer needs a "labels" list')
        return self

    @property
    def has_rationales(self) -> bool:
        return any(item.rationale for item in self.examples)


def from_dict(data) -> Task:
    """A task from a user's file or table (the lab's own, e.g. the scoreboard's 4,000-pair pool, are not capped)."""
    task = schema.read(data, Task, TaskError)
    if len(task.examples) + len(task.test) > MAX_ITEMS:
        raise TaskError(f"A task may have at most {MAX_ITEMS} items.")
    return task


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
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TaskError(f"{name} is not valid JSON (line {error.lineno}: {error.msg}).") from error
    except RecursionError as error:
        raise TaskError(f"{name} nests its JSON too deeply to be a task file.") from error
    return from_dict(data)


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
