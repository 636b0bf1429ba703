"""Small widgets more than one page uses."""

from __future__ import annotations

import streamlit as st

from lib import charts
from lib.textsafe import escape_markdown


def count_slider(label: str, low: int, high: int, value: int, key: str, container=st) -> int:
    """A slider for a count that may have only one possible value (a 1-item task), where st.slider would fail."""
    if high <= low:
        container.caption(f"{label}: {high}")
        return high
    return container.slider(label, low, high, min(max(value, low), high), key=key)


def chart(figure, key: str, container=st) -> None:
    """A chart with its text alternative: the gist in one sentence under it, and its data as a table."""
    container.plotly_chart(figure, key=key)
    text, table = charts.describe(figure)
    container.caption(escape_markdown(text))  # series names can be file names
    # st.table reads markdown in its cells: a file name like "[x](y)" or "**b**" is shown as written.
    table = table.apply(lambda column: column.map(lambda v: escape_markdown(v) if isinstance(v, str) else v))
    with container.expander("The chart's data as a table"):
        st.table(table, border="horizontal", hide_index=True)  # plain table markup, which screen readers read (a data grid is a canvas)
