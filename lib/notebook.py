"""The take-home lab notebook: what a learner ran in one session, written up as one self-contained HTML report.

An entry is one run (an answer, an evaluation, a training run): the page it came from, the settings it was
made with, the prompts exactly as sent, the outputs, the measurements, a table of items and a chart. The
report needs nothing but a browser: it is written by a Jinja2 template (lib/templates/notebook.html) with
autoescape on, so prompts and outputs (user and model text) are never markup, and the charting library is inlined
once, so the charts work offline.

    book = Notebook()
    book.add(Entry(page="Few-shot", title="Evaluation", settings={"shots": 4}, measurements={"accuracy": 0.5}))
    Path("notebook.html").write_text(to_html(book, made_at="2026-11-29 14:00"))
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path

MAX_ENTRIES = 100  # a session's newest runs; the report says how many older ones were left out
MAX_TEXT = 20_000  # characters of one prompt or output (a whole uploaded document can be in a prompt)
MAX_ROWS = 200  # items of one table


@dataclass
class Entry:
    page: str
    title: str
    settings: dict = field(default_factory=dict)
    prompts: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    measurements: dict = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)
    figure: object = None  # a plotly Figure
    at: str = ""


@dataclass
class Notebook:
    entries: list[Entry] = field(default_factory=list)
    dropped: int = 0  # older entries let go to keep a session's memory bounded

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        if len(self.entries) > MAX_ENTRIES:
            self.dropped += len(self.entries) - MAX_ENTRIES
            del self.entries[:-MAX_ENTRIES]


def _value(value: object) -> str:
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def _clipped(text: object):
    """Text up to MAX_TEXT characters, then a note of how much was left out (the note is the report's own markup)."""
    from markupsafe import Markup, escape

    text = str(text)
    if len(text) <= MAX_TEXT:
        return text
    return escape(text[:MAX_TEXT]) + Markup(f"\n<em>[… {len(text) - MAX_TEXT:,} more characters left out]</em>")


def _figure(figure, number: int, first: bool):
    import plotly.io as pio
    from markupsafe import Markup

    # The first chart carries the charting library inline (no network); the rest reuse it. Plotly's own markup.
    return Markup(pio.to_html(figure, full_html=False, include_plotlyjs=first, div_id=f"chart-{number}",
                              config={"displaylogo": False}))


@functools.cache
def _template():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    # Autoescape: every prompt, output, setting and row is user or model text, written as text.
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.filters |= {"shown": _value, "clipped": _clipped,
                    "columns": lambda rows: list(dict.fromkeys(k for row in rows for k in row))}
    return env.get_template("notebook.html")


def to_html(notebook: Notebook, made_at: str, title: str = "LLM customization lab — notebook") -> str:
    """The whole session as one HTML page: a contents list, then every run in the order it was made."""
    charts, first = [], True
    for number, entry in enumerate(notebook.entries, 1):
        charts.append(_figure(entry.figure, number, first) if entry.figure is not None else None)
        first = first and entry.figure is None
    return _template().render(title=title, made_at=made_at, entries=notebook.entries, dropped=notebook.dropped,
                              charts=charts, max_entries=MAX_ENTRIES, max_rows=MAX_ROWS)
