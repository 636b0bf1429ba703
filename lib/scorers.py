"""Scoring a model's answer against the expected one. Each scorer returns (what we read from the answer, score 0–1).

    >>> number("First 3 × 4 = 12, then 12 + 5 = 17. The answer is 17.", "17")
    ('17', 1.0)
    >>> label("Positive! I loved it.", "positive", ["positive", "negative"])
    ('positive', 1.0)
"""

from __future__ import annotations

import json
import re

from lib import meaning

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_ANSWER_IS = re.compile(r"answer is\s*:?\s*\$?(-?\d[\d,]*(?:\.\d+)?)", re.I)


def label(output: str, gold: str, labels: list[str]) -> tuple[str, float]:
    """The first label word the answer uses."""
    text = output.lower()
    found = sorted((m.start(), lab) for lab in labels for m in [re.search(rf"\b{re.escape(lab.lower())}\b", text)] if m)
    picked = found[0][1] if found else ""
    return picked, float(picked.lower() == gold.lower())


def number(output: str, gold: str) -> tuple[str, float]:
    """'The answer is N' when the model says so, else the last number it wrote."""
    match = _ANSWER_IS.search(output)
    raw = match.group(1) if match else (_NUMBER.findall(output) or [""])[-1]
    value = raw.replace(",", "").rstrip(".")
    try:
        return value, float(float(value) == float(gold))
    except ValueError:
        return value, 0.0


def json_fields(output: str, gold: str) -> tuple[str, float]:
    """Share of the expected fields the answer's first JSON object gets right."""
    want = json.loads(gold)
    match = re.search(r"\{.*?\}", output, re.S)
    try:
        got = json.loads(match.group(0)) if match else None
    except json.JSONDecodeError:
        got = None
    if not isinstance(got, dict):
        return "", 0.0
    right = sum(str(got.get(k, "")).strip().lower() == str(v).strip().lower() for k, v in want.items())
    return json.dumps(got, ensure_ascii=False), right / len(want)


def mr(output: str, gold: str) -> tuple[str, float]:
    parsed = meaning.parse(output)
    shown = "" if parsed is None else re.search(meaning._MR, output).group(0)
    return shown, float(meaning.exact_match(output, gold))


def exact(output: str, gold: str) -> tuple[str, float]:
    first = output.strip().splitlines()[0].strip() if output.strip() else ""
    return first, float(first.lower().rstrip(".") == gold.strip().lower().rstrip("."))


def score(kind: str, output: str, gold: str, labels: list[str] | None = None) -> tuple[str, float]:
    if kind == "label":
        return label(output, gold, labels or [])
    return {"number": number, "json_fields": json_fields, "mr": mr, "exact": exact}[kind](output, gold)
