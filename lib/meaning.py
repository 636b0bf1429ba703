"""ViGGO-style meaning representations: `act(slot[value], slot[v1, v2], ...)`, parsed and scored.

    >>> parse("inform(name[Ironroot], platforms[PC, Xbox])")
    ('inform', {'name': frozenset({'ironroot'}), 'platforms': frozenset({'pc', 'xbox'})})
    >>> exact_match("give_opinion(rating[good], name[X])", "give_opinion(name[X], rating[good])")
    True

Comparison ignores slot order, the order of list values, case and spacing.
The first `act(...)` in a model's output is read; anything around it is ignored.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

# The schema, written once (data/viggo/schema.json): the nine dialogue acts and the fourteen slots, in order.
SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "data" / "viggo" / "schema.json").read_text("utf-8"))
ACTS: tuple[str, ...] = tuple(SCHEMA["acts"])
SLOTS: tuple[str, ...] = tuple(SCHEMA["slots"])

# The body is a run of slot[...] items, so values may hold parentheses, e.g. esrb[E (for Everyone)].
_MR = re.compile(r"([a-z_]+)\s*\(\s*((?:[a-z_]+\s*\[[^\]]*\]\s*,?\s*)*)\)")
_SLOT = re.compile(r"([a-z_]+)\s*\[([^\]]*)\]")

Slots = dict[str, frozenset[str]]


def parse(text: str) -> tuple[str, Slots] | None:
    """(act, slots) from the first meaning representation in `text`, or None when there is none."""
    match = _MR.search(text)
    if not match:
        return None
    slots = {name: frozenset(v.strip().lower() for v in value.split(",") if v.strip())
             for name, value in _SLOT.findall(match.group(2))}
    return match.group(1), slots


def _pairs(parsed: tuple[str, Slots] | None) -> set[tuple[str, str]]:
    if parsed is None:
        return set()
    act, slots = parsed
    return {("act", act)} | {(name, value) for name, values in slots.items() for value in (values or {""})}


def exact_match(output: str, target: str) -> bool:
    got, want = parse(output), parse(target)
    return got is not None and got == want


def slot_f1(output: str, target: str) -> float:
    """F1 over (slot, value) pairs, the act counting as one pair."""
    got, want = _pairs(parse(output)), _pairs(parse(target))
    if not got or not want:
        return 0.0
    hit = len(got & want)
    if hit == 0:
        return 0.0
    precision, recall = hit / len(got), hit / len(want)
    return 2 * precision * recall / (precision + recall)


def diff(output: str, target: str) -> tuple[list[str], list[str]]:
    """(expected slot=value pairs the output lacks, pairs it adds that were not expected)."""
    got, want = _pairs(parse(output)), _pairs(parse(target))
    show = lambda pairs: sorted(f"{k}[{v}]" if k != "act" else f"act {v}" for k, v in pairs)  # noqa: E731
    return show(want - got), show(got - want)
