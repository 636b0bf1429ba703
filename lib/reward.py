"""A classroom reward model: learn from "A is better than B" choices, then re-rank fresh answers (best-of-n).

    >>> prefs = [Preference(prompt, chosen, rejected), ...]
    >>> model = fit(prefs, embed)                    # embed(list of str) -> unit vectors
    >>> model.score(embed, ["answer 1", "answer 2"])     # higher = more like what you preferred
    >>> cross_validated_accuracy(prefs, embed)       # share of held-out pairs it orders like you did

The reward is linear in features of an answer — its sentence embedding plus
its length — and fit as a Bradley-Terry model: P(A preferred to B) =
sigmoid(r(A) − r(B)), i.e. logistic regression on feature differences.
What full RLHF does that this does not: a reward model that is itself a large
language model, trained on tens of thousands of human comparisons, and then
reinforcement learning (PPO with a penalty for drifting from the original
model) that changes the model's weights. Here nothing is retrained: the reward
only picks among answers the unchanged model already wrote.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Embed = Callable[[list[str]], np.ndarray]
MIN_PAIRS = 4


@dataclass(frozen=True)
class Preference:
    prompt: str
    chosen: str
    rejected: str


def features(embed: Embed, answers: list[str]) -> np.ndarray:
    # Length on its own axis: people's choices often track it, and the page can show the model noticed.
    length = np.array([[math.log1p(len(a.split())) / 5] for a in answers], dtype=np.float32)
    return np.hstack([embed(answers).astype(np.float32), length])


@dataclass
class RewardModel:
    weights: np.ndarray

    def score(self, embed: Embed, answers: list[str]) -> list[float]:
        return (features(embed, answers) @ self.weights).tolist()

    @property
    def length_weight(self) -> float:
        return float(self.weights[-1])


def _pair_features(prefs: list[Preference], embed: Embed) -> tuple[np.ndarray, np.ndarray]:
    return features(embed, [p.chosen for p in prefs]), features(embed, [p.rejected for p in prefs])


def _fit(chosen: np.ndarray, rejected: np.ndarray, strength: float = 1.0) -> RewardModel:
    from sklearn.linear_model import LogisticRegression

    # Each pair both ways round, so the classifier sees both labels and needs no intercept.
    x = np.vstack([chosen - rejected, rejected - chosen])
    y = np.array([1] * len(chosen) + [0] * len(chosen))
    classifier = LogisticRegression(C=strength, fit_intercept=False, max_iter=1000).fit(x, y)
    return RewardModel(classifier.coef_[0].astype(np.float32))


def _accuracy(model: RewardModel, chosen: np.ndarray, rejected: np.ndarray) -> float:
    return float(np.mean(chosen @ model.weights > rejected @ model.weights))


def fit(prefs: list[Preference], embed: Embed, strength: float = 1.0) -> RewardModel:
    if len(prefs) < MIN_PAIRS:
        raise ValueError(f"The reward model needs at least {MIN_PAIRS} choices; you have made {len(prefs)}.")
    return _fit(*_pair_features(prefs, embed), strength)


def accuracy(model: RewardModel, prefs: list[Preference], embed: Embed) -> float:
    """Share of pairs where the reward ranks the chosen answer above the rejected one."""
    return _accuracy(model, *_pair_features(prefs, embed))


def cross_validated_accuracy(prefs: list[Preference], embed: Embed, folds: int = 5) -> float:
    """Accuracy on pairs held out of training, averaged over folds; NaN when there are too few pairs to hold any out."""
    chosen, rejected = _pair_features(prefs, embed)  # embedded once, reused by every fold
    folds = min(folds, len(prefs))
    scores = []
    for fold in range(folds):
        held = np.arange(len(prefs)) % folds == fold
        if (~held).sum() >= MIN_PAIRS:
            model = _fit(chosen[~held], rejected[~held])
            scores.append(_accuracy(model, chosen[held], rejected[held]))
    return float(np.mean(scores)) if scores else float("nan")


def held_out_said(share: float, choices: int) -> str:
    """The cross-validated accuracy with its 95 % interval against a coin's 50 % (lib.effects' interval)."""
    from lib import effects

    low, high = effects.share_interval(share, choices)
    verdict = ("better than a coin, measurably" if low > 0.5 else
               "not measurably better than a coin: make more choices" if high >= 0.5 else "measurably worse than a coin")
    return f"95% interval {low:.0%} to {high:.0%} over {choices} choices; a coin gets 50%: {verdict}."


def best_of_n(model: RewardModel, embed: Embed, answers: list[str]) -> list[tuple[float, str]]:
    """The answers with their rewards, best first."""
    return sorted(zip(model.score(embed, answers), answers), key=lambda pair: -pair[0])


@dataclass
class Labelling:
    """One person's labelling session: which request comes next, the pair on offer, the choices made so far.

    Kept in the page's session state; a choice or a skip moves on to the next request (round-robin over `prompts`)."""

    prompts: list[str]
    prefs: list[Preference] = field(default_factory=list)
    round: int = 0
    pair: dict | None = None  # {"prompt", "answers"} while the person is choosing
    fitted: tuple[int, RewardModel, float] | None = None  # (choices it was fit on, model, held-out accuracy)

    @property
    def prompt(self) -> str:
        return self.prompts[self.round % len(self.prompts)]

    def seed(self, base: int) -> int:
        """A new sampling seed each round, so the next pair differs, reproducible from the sidebar's seed."""
        return base + self.round

    def offer(self, answers: list[str]) -> None:
        self.pair = {"prompt": self.prompt, "answers": answers}

    def choose(self, better: int | None) -> None:
        """Record that answer `better` (0 or 1) beat the other, or None to skip; then move on."""
        if self.pair is not None and better is not None:
            answers = self.pair["answers"]
            self.prefs.append(Preference(self.pair["prompt"], answers[better], answers[1 - better]))
        self.round += 1
        self.pair = None

    def model(self, embed: Embed, run=lambda fn, *args: fn(*args)) -> tuple[RewardModel, float]:
        """The reward model and its held-out accuracy, fit again only when a choice was added (`run` runs the fits)."""
        if self.fitted is None or self.fitted[0] != len(self.prefs):
            self.fitted = (len(self.prefs), run(fit, self.prefs, embed), run(cross_validated_accuracy, self.prefs, embed))
        return self.fitted[1], self.fitted[2]
