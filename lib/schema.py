"""Files with a schema: one way to read them (pydantic models), and one way to say what is wrong with one.

    >>> class Pair(Record):
    ...     input: Text
    ...     target: Text
    >>> [pair for _, pair in jsonl('{"input": "hi", "target": 2}', Pair, ValueError)]
    [Pair(input='hi', target='2')]
    >>> read({"input": {"a": 1}}, Pair, ValueError)
    Traceback (most recent call last):
    ValueError: "input": must be text, not dict.

A file's models say what each field must be; `read` turns pydantic's first complaint into one sentence that names
the field's place ("tries" item 2, "why") so the person who wrote the file can find it. The modules that own a
format (lib.tasks, lib.guide, lib.talk, lib.lora, lib.rag) define its models and add the rules that span fields.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)


class Record(BaseModel):
    """A read-only record of a file; fields it does not know are ignored (files may carry notes)."""
    model_config = ConfigDict(frozen=True, extra="ignore")


def _as_text(value):
    # People write numbers where text is meant ("output": 42); a missing value reads as "". True, a list or an
    # object is a mistake worth naming.
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"must be text, not {type(value).__name__}")
    return str(value)


def _needs_text(value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError("needs text")
    return value


Text = Annotated[str, BeforeValidator(_as_text)]  # text, a number read as text, or "" when missing
Required = Annotated[str, BeforeValidator(_needs_text)]  # text that is not blank


def place(location: tuple) -> str:
    """pydantic's location of a fault in words: ("tries", 1, "why") → '"tries" item 2, "why"'."""
    words = []
    for part in location:
        if isinstance(part, int) and words:
            words[-1] += f" item {part + 1}"
        elif isinstance(part, int):
            words.append(f"item {part + 1}")
        elif not part.startswith(("function-", "union[")):  # pydantic's own names for a validator's step
            words.append(f'"{part}"')
    return ", ".join(words)


# pydantic's wording for the commonest faults, in the words a file's author would use.
PLAIN = {"missing": "is missing", "string_type": "must be text", "list_type": "must be a list",
         "tuple_type": "must be a list", "dict_type": "must be an object", "int_type": "must be a whole number",
         "model_type": "must be an object", "model_attributes_type": "must be an object"}


def said(problem: ValidationError, model: type[BaseModel] | None = None) -> str:
    """The first fault of a file as one sentence; the others usually follow from it."""
    first = problem.errors(include_url=False)[0]
    limits = first.get("ctx", {})
    message = PLAIN.get(first["type"]) or first["msg"].removeprefix("Value error, ")
    if first["type"] == "too_short":
        message = f"needs at least {limits['min_length']} item{'s' * (limits['min_length'] != 1)}"
    elif first["type"] in ("too_long", "string_too_long"):
        many = "characters" if isinstance(first.get("input"), str) else "items"
        message = f"is longer than {limits['max_length']:,} {many}"
    where = place(first["loc"])
    if first["type"] == "model_type" and not where:  # the whole file (or a whole line) is not an object
        wanted = ", ".join(f'"{name}"' for name, f in (model.model_fields if model else {}).items() if f.is_required())
        return f"expected a JSON object{' with ' + wanted if wanted else ''}."
    return f"{where}: {message}." if where else f"{message[:1].upper()}{message[1:]}."


def read(data, model: type[M], error: type[ValueError]) -> M:
    """`data` (already parsed JSON) as a `model`, or `error` with the one sentence that says what to fix."""
    try:
        return model.model_validate(data)
    except ValidationError as problem:
        raise error(said(problem, model)) from None


def load(path: Path, model: type[M], error: type[ValueError]) -> M:
    """A JSON file of the lab's own (or a user's, by path) as a `model`; `error` says what is wrong, and where."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise error(f"{Path(path).name} can't be read: {problem}") from None
    try:
        return read(data, model, error)
    except error as problem:
        raise error(f"{Path(path).name}: {problem}") from None


def jsonl(content: str, model: type[M], error: type[ValueError]):
    """(line number, record) for each non-blank line of JSON Lines; `error` names the first bad line."""
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as problem:
            raise error(f"line {number}: not a JSON object ({problem}).") from None
        try:
            yield number, model.model_validate(row)
        except ValidationError as problem:
            raise error(f"line {number}: {said(problem, model)}") from None
