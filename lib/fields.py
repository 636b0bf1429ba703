"""Reading the fields of a user's file: text they must be, and the message says which field when one is not.

    >>> text(3, "item 1: output", ValueError)
    '3'
    >>> text({"a": 1}, "item 1: output", ValueError)
    Traceback (most recent call last):
    ValueError: item 1: output must be text, not dict.
    >>> list(jsonl_rows('{"q": "hi"}\\n\\n{"q": 2}', ("q",), (), ValueError))
    [(1, {'q': 'hi'}), (3, {'q': '2'})]
"""

import json


def text(value, what: str, error: type[ValueError]) -> str:
    """`value` as text (a number is read as text, a missing value as ""); otherwise `error` naming `what`."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise error(f"{what} must be text, not {type(value).__name__}.")
    return str(value)


def jsonl_rows(content: str, required: tuple[str, ...], optional: tuple[str, ...], error: type[ValueError]):
    """(line number, dict of text fields) for each non-blank line of JSON Lines; `error` names the first bad line."""
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            values = {key: text(row[key] if key in required else row.get(key), f"line {number}: \"{key}\"", error)
                      for key in (*required, *optional)}
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError, RecursionError) as problem:
            wanted = ", ".join(f'"{key}"' for key in required)
            raise error(f"line {number}: expected a JSON object with {wanted} ({problem}).") from problem
        yield number, values
