"""How a chat "remembers": the whole history is re-sent each turn, and the oldest turns fall out when it won't fit.

    >>> kept, dropped = fit_window(history, count_prompt_tokens, limit=512, reserve=128)

The system message always stays. Whole turns are dropped from the oldest,
until the prompt plus `reserve` (room for the answer) fits in `limit`.
What this leaves out: summarising old turns, or retrieval over them — the tricks real chat apps add.
"""

from __future__ import annotations

from collections.abc import Callable

Messages = list[dict[str, str]]


def fit_window(messages: Messages, prompt_tokens: Callable[[Messages], int], limit: int,
               reserve: int) -> tuple[Messages, list[int]]:
    """(messages to send, indices of the messages that no longer fit). Raises ValueError if the last one alone doesn't."""
    system = [i for i, m in enumerate(messages) if m["role"] == "system"]
    rest = [i for i in range(len(messages)) if i not in system]
    dropped: list[int] = []
    while rest:
        kept = sorted(system + rest)
        if prompt_tokens([messages[i] for i in kept]) + reserve <= limit:
            return [messages[i] for i in kept], dropped
        if len(rest) == 1:
            break
        dropped.append(rest.pop(0))
    raise ValueError(f"Your last message alone (with room for a {reserve}-token answer) is longer than the "
                     f"{limit}-token window. Shorten it or widen the window.")


def window_view(messages: Messages, prompt_tokens: Callable[[Messages], int], limit: int,
                reserve: int) -> tuple[Messages, list[int]]:
    """What the next turn would send, for showing: as fit_window, or when even the last message does not fit,
    that message alone with everything before it (but the system message) marked as dropped."""
    try:
        return fit_window(messages, prompt_tokens, limit, reserve)
    except ValueError:
        return messages[-1:], list(range(1, len(messages) - 1))


def tokens_per_message(messages: Messages, prompt_tokens: Callable[[Messages], int]) -> list[int]:
    """Tokens each message adds to the prompt, template markers included (differences of prefix lengths)."""
    counts, previous = [], prompt_tokens([])
    for i in range(1, len(messages) + 1):
        current = prompt_tokens(messages[:i])
        counts.append(current - previous)
        previous = current
    return counts


def words_per_token(count_tokens: Callable[[str], int], texts: list[str]) -> float:
    """Words (runs of non-blanks) per token over some texts: how a window in tokens reads in words."""
    return sum(len(t.split()) for t in texts) / max(1, sum(count_tokens(t) for t in texts))


def windows(current: dict, published: list[dict], words_per_token: float) -> list[dict]:
    """The model in use ({"model", "tokens", "source"}) and the published ones, each in tokens and about how many
    words, smallest first."""
    rows = [current] + [{"model": p["model"], "tokens": p["tokens"], "source": p["citation"]} for p in published]
    return [r | {"words": int(r["tokens"] * words_per_token)} for r in sorted(rows, key=lambda r: r["tokens"])]


def forced_examples(rows: list[dict], n: int) -> list[dict]:
    """The first n answers of the forced-token run (lib.forced_token) that had a digit forced, for a table."""
    shown = [r for r in rows if r.get("forced_at") is not None][:n]
    return [{"question": r["input"], "as generated": r["as_generated"],
             "forced token": f"{r['forced'].strip()!r} ({r['forced_probability']:.1%}) instead of "
                             f"{r['chosen'].strip()!r} ({r['chosen_probability']:.1%})",
             "with it": r["with_forced"], "fact still there": "yes" if r["recovered"] else "no"} for r in shown]
