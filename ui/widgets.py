"""Small widgets more than one page uses."""

from __future__ import annotations

import streamlit as st


def count_slider(label: str, low: int, high: int, value: int, key: str, container=st) -> int:
    """A slider for a count that may have only one possible value (a 1-item task), where st.slider would fail."""
    if high <= low:
        container.caption(f"{label}: {high}")
        return high
    return container.slider(label, low, high, min(max(value, low), high), key=key)
