"""One rule for every comparison the lab puts into words: "rises", "falls", "leads", or no measurable difference.

A paired bootstrap over the items both conditions answered (and over shot samplings, where a condition has
several seeds) gives the difference and its 95 % interval. A label task also has a chance level: the larger of
1 / number of labels and the commonest label's share of the items (what answering that label every time scores).

The rule, stated once (`verdict`):
  - "rises" when the interval lies above zero and the better side's own interval lies above chance;
  - "falls" when the interval lies below zero;
  - otherwise "no measurable difference", with the reason (the interval includes zero, or the better side is
    within chance).
A condition that gave one label to nearly every item (COLLAPSE) is named: a high score can hide it.

    >>> effect = compare(rows, "zero-shot", "4-shot", labels=("hardware", "network", "access"))
    >>> effect.verdict, effect.said()
    ('no measurable difference', '4-shot 36% vs zero-shot 10%: +26 points (95% interval +12 to +40), ...')

What it leaves out: corrections for many comparisons, and any model of how items differ in difficulty.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

RESAMPLES = 2000
COLLAPSE = 0.9  # a seed whose commonest answer is at least this share of the items gave "one label for everything"
RISES, FALLS, NONE = "rises", "falls", "no measurable difference"
INCLUDES_ZERO, WITHIN_CHANCE = "the interval includes zero", "the better side is within chance"


@dataclass(frozen=True)
class Effect:
    first: str
    second: str
    first_score: float
    second_score: float
    difference: float  # second − first
    low: float  # 95 % interval of the difference
    high: float
    second_low: float  # 95 % interval of each side's own score
    second_high: float
    first_low: float
    first_high: float
    items: int
    chance: float | None = None
    collapsed: dict[str, str] = field(default_factory=dict)  # condition → the label it gave nearly every item
    verdict: str = NONE
    reason: str = ""

    def said(self) -> str:
        """The comparison in one sentence, its words decided by `verdict`."""
        s = (f"{self.second} {self.second_score:.0%} vs {self.first} {self.first_score:.0%} on {self.items} items: "
             f"{100 * self.difference:+.0f} points (95% interval {100 * self.low:+.0f} to {100 * self.high:+.0f})")
        if self.chance is not None:
            s += f"; chance {self.chance:.0%}"
        if self.verdict != NONE:
            opening = self.second[:1].upper() + self.second[1:]  # it starts a sentence
            s += f". {opening} scores measurably {'higher' if self.verdict == RISES else 'lower'}."
        elif self.reason == WITHIN_CHANCE:
            s += (f". No measurable gain at this size: {self.second}'s own interval ({self.second_low:.0%} to "
                  f"{self.second_high:.0%}) reaches chance.")
        else:
            s += ". No measurable difference at this size: the interval includes zero."
        for condition, label in self.collapsed.items():
            s += f" {condition} answered “{label}” to nearly every item in at least one shot sampling."
        return s

    def as_dict(self) -> dict:
        return {"first": self.first, "second": self.second, "difference": round(self.difference, 4),
                "interval": [round(self.low, 4), round(self.high, 4)], "chance": self.chance,
                "first_interval": [round(self.first_low, 4), round(self.first_high, 4)],
                "second_interval": [round(self.second_low, 4), round(self.second_high, 4)],
                "items": self.items, "verdict": self.verdict, "reason": self.reason, "collapsed": self.collapsed,
                "said": self.said()}


def chance_level(expected: list[str], labels: tuple[str, ...] | list[str]) -> float | None:
    """The score of a guesser: the larger of 1 / labels and the commonest expected label's share (None without labels)."""
    if not labels or not expected:
        return None
    return max(1 / len(labels), Counter(expected).most_common(1)[0][1] / len(expected))


def _matrix(rows: list[dict], condition: str, items: list[str], measure: str, by: str) -> np.ndarray:
    """Scores of one condition as items × seeds (a seed that missed an item counts its mean there)."""
    seeds = sorted({r.get("seed", 0) for r in rows if r[by] == condition})
    cell = {(r["input"], r.get("seed", 0)): float(r[measure]) for r in rows if r[by] == condition}
    m = np.array([[cell.get((item, s), np.nan) for s in seeds] for item in items], dtype=float)
    return np.where(np.isnan(m), np.nanmean(m), m)


def _resampled_means(m: np.ndarray, pick: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """The mean of items × seeds matrix `m` in each resample: rows `pick` (resamples × items), columns `seeds`
    (resamples × seeds), all resamples at once (summaries are remade on every page run: no Python loop)."""
    rows = m[pick]  # resamples × items × seeds
    return np.take_along_axis(rows, np.broadcast_to(seeds[:, None, :], rows.shape), axis=2).mean(axis=(1, 2))


def _collapsed(rows: list[dict], condition: str, by: str) -> str | None:
    for seed in sorted({r.get("seed", 0) for r in rows if r[by] == condition}):
        answers = [r.get("extracted", "") for r in rows if r[by] == condition and r.get("seed", 0) == seed]
        label, count = Counter(answers).most_common(1)[0] if answers else ("", 0)
        if label and len(answers) >= 5 and count / len(answers) >= COLLAPSE:
            return label
    return None


def verdict(low: float, high: float, better_low: float, chance: float | None) -> tuple[str, str]:
    """The rule: (verdict, reason) from the difference's interval and the better side's own lower bound."""
    if high < 0:
        return FALLS, ""
    if low <= 0:
        return NONE, INCLUDES_ZERO
    if chance is not None and better_low <= chance:
        return NONE, WITHIN_CHANCE
    return RISES, ""


def compare(rows: list[dict], first: str, second: str, labels=(), measure: str = "score", by: str = "condition",
            resamples: int = RESAMPLES, seed: int = 0) -> Effect:
    """Condition `second` against `first` over the items both answered (rows: `by` naming the condition, seed,
    input, `measure`, extracted, expected)."""
    by_condition = {c: {r["input"] for r in rows if r[by] == c} for c in (first, second)}
    items = [i for i in dict.fromkeys(r["input"] for r in rows) if i in by_condition[first] and i in by_condition[second]]
    if not items:
        raise ValueError(f"No item was answered under both {first!r} and {second!r}.")
    a, b = _matrix(rows, first, items, measure, by), _matrix(rows, second, items, measure, by)
    rng = np.random.default_rng(seed)
    n = len(items)
    pick = rng.integers(n, size=(resamples, n))
    # Shot samplings are shared by every item, so a resample draws whole seeds, not a seed per item.
    seeds_a = rng.integers(a.shape[1], size=(resamples, a.shape[1]))
    seeds_b = rng.integers(b.shape[1], size=(resamples, b.shape[1]))
    boot_a, boot_b = _resampled_means(a, pick, seeds_a), _resampled_means(b, pick, seeds_b)
    diff = boot_b - boot_a
    low, high = np.percentile(diff, [2.5, 97.5])
    (a_low, a_high), (b_low, b_high) = np.percentile(boot_a, [2.5, 97.5]), np.percentile(boot_b, [2.5, 97.5])
    expected = [next(r["expected"] for r in rows if r["input"] == i) for i in items] if labels else []
    chance = chance_level(expected, labels)
    said, reason = verdict(float(low), float(high), float(b_low), chance)
    collapsed = {c: label for c in (first, second) if (label := _collapsed(rows, c, by))}
    return Effect(first, second, float(a.mean()), float(b.mean()), float(b.mean() - a.mean()), float(low), float(high),
                  float(b_low), float(b_high), float(a_low), float(a_high), n, chance, collapsed, said, reason)


def interval(rows: list[dict], condition: str, measure: str = "score", by: str = "condition",
             resamples: int = RESAMPLES, seed: int = 0) -> tuple[float, float]:
    """95 % interval of one condition's mean score, over items (and whole seeds): the whisker a chart draws."""
    items = list(dict.fromkeys(r["input"] for r in rows if r[by] == condition))
    m = _matrix(rows, condition, items, measure, by)
    rng = np.random.default_rng(seed)
    pick = rng.integers(len(items), size=(resamples, len(items)))
    boot = _resampled_means(m, pick, rng.integers(m.shape[1], size=(resamples, m.shape[1])))
    low, high = np.percentile(boot, [2.5, 97.5])
    return float(low), float(high)


def share_interval(share: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson interval of a share measured on n yes/no trials (no rows to resample: e.g. a cross-validated
    accuracy over n choices)."""
    if n <= 0:
        return 0.0, 1.0
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def leader(rows: list[dict], conditions: list[str], labels=(), measure: str = "score",
           by: str = "condition") -> tuple[str, Effect]:
    """The highest-scoring condition and its comparison with the runner-up: it "leads" only when that rises."""
    means = {c: float(np.mean([r[measure] for r in rows if r[by] == c])) for c in conditions}
    ranked = sorted(conditions, key=means.get, reverse=True)
    return ranked[0], compare(rows, ranked[1], ranked[0], labels, measure, by)
