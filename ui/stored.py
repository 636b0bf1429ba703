"""A stored result on a page: shown only when it was made with the page's settings, and saying which they were."""

from __future__ import annotations

import streamlit as st

from lib import experiments


def stored_result(name: str, yours: dict, summarize, live: str = "press the button to measure it live") -> dict | None:
    """The stored result of experiment `name` over the page's settings `yours`, with a caption saying how it
    was made; or None, after saying what differs and how to measure with the page's settings (`live`)."""
    result, differ = experiments.matching(name, yours, summarize)
    if result is None:
        # The differences name settings from fixed choices (engines, counts) and our own commands: markdown-safe.
        st.info(f"No stored result matches your settings: {'; '.join(differ)}. To see numbers, {live}.")
        return None
    st.caption(f"Stored run, not live: {describe(result['settings'])}, greedy. "
               f"Made with `{experiments.get(name).command}`; {live}.")
    return result


def describe(settings: dict) -> str:
    names = {"engine": "engine", "items": "held-out items", "seeds": "shot samplings", "shots": "shots",
             "max_new_tokens": "new tokens at most", "method": "method", "model": "model", "set": "set"}
    return ", ".join(f"{value} {names.get(key, key)}" for key, value in settings.items() if value is not None)
