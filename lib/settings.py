"""The sidebar's settings: their defaults, bounds, and how they round-trip through a URL.

A presenter bookmarks a state (`?backend=openai&temperature=0.7&presenter=1`);
anything malformed in a URL falls back to the default instead of failing.
Secrets (an API key) are never part of this: they stay in the session only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    key: str
    default: object
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None

    def parse(self, raw: str) -> object:
        """The value for `raw` from a URL, or the default when it is malformed or out of range."""
        try:
            if isinstance(self.default, bool):
                return raw.lower() in ("1", "true", "yes", "on")
            if isinstance(self.default, int):
                value = int(raw)
            elif isinstance(self.default, float):
                value = float(raw)
            else:
                value = str(raw)[:200]
        except ValueError:
            return self.default
        if self.choices is not None and value not in self.choices:
            return self.default
        if self.low is not None and not (self.low <= value <= self.high):
            return self.default
        return value

    def dump(self, value: object) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        return str(value)


BACKENDS = ("bundled", "hf", "openai")
# The bundled model on onnxruntime (4-bit weights, one batch for every session; "fastest" also int8 activations) or on PyTorch (float32).
ENGINES = ("fast", "fastest", "reference")
SETTINGS = (
    Setting("backend", "bundled", choices=BACKENDS),
    Setting("engine", "fast", choices=ENGINES),
    Setting("hf_model", "HuggingFaceTB/SmolLM2-360M-Instruct"),
    Setting("server_url", "http://localhost:11434/v1"),
    Setting("server_model", "llama3.2"),
    Setting("max_new_tokens", 128, 1, 1024),
    Setting("temperature", 0.0, 0.0, 2.0),
    Setting("top_p", 1.0, 0.05, 1.0),
    Setting("seed", 0, 0, 2**31 - 1),
    Setting("presenter", False),
)
BY_KEY = {s.key: s for s in SETTINGS}


def defaults() -> dict[str, object]:
    return {s.key: s.default for s in SETTINGS}


def from_query(params: dict[str, str]) -> dict[str, object]:
    """Settings read from URL query parameters; unknown keys are ignored, missing ones defaulted."""
    values = defaults()
    for key, raw in params.items():
        if key in BY_KEY:
            values[key] = BY_KEY[key].parse(raw)
    return values


def to_query(values: dict[str, object]) -> dict[str, str]:
    """Only what differs from the default, so a plain URL stays plain."""
    return {
        key: BY_KEY[key].dump(value)
        for key, value in values.items()
        if key in BY_KEY and value != BY_KEY[key].default
    }
