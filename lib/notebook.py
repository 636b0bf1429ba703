"""The take-home lab notebook: what a learner ran in one session, written up as one self-contained HTML report.

An entry is one run (an answer, an evaluation, a training run): the page it came from, the settings it was
made with, the prompts exactly as sent, the outputs, the measurements, a table of items and a chart. The
report needs nothing but a browser: its text is escaped (prompts and outputs are user and model text, never
markup) and the charting library is inlined once, so the charts work offline.

    book = Notebook()
    book.add(Entry(page="Few-shot", title="Evaluation", settings={"shots": 4}, measurements={"accuracy": 0.5}))
    Path("notebook.html").write_text(to_html(book, made_at="2026-11-29 14:00"))
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

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


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)


def _value(value: object) -> str:
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def _clipped(text: str) -> str:
    text = str(text)
    if len(text) <= MAX_TEXT:
        return _text(text)
    return _text(text[:MAX_TEXT]) + f"\n<em>[… {len(text) - MAX_TEXT:,} more characters left out]</em>"


def _pairs(caption: str, mapping: dict) -> str:
    body = "".join(f"<tr><th scope='row'>{_text(k)}</th><td>{_text(_value(v))}</td></tr>" for k, v in mapping.items())
    return f"<table><caption>{_text(caption)}</caption>{body}</table>"


def _rows(rows: list[dict]) -> str:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    head = "".join(f"<th scope='col'>{_text(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_clipped(_value(row.get(c, '')))}</td>" for c in columns) + "</tr>"
                   for row in rows[:MAX_ROWS])
    more = f"<p>{len(rows) - MAX_ROWS:,} more rows left out.</p>" if len(rows) > MAX_ROWS else ""
    return f"<details><summary>Every item ({len(rows):,})</summary><table><tr>{head}</tr>{body}</table>{more}</details>"


def _figure(figure, number: int, first: bool) -> str:
    import plotly.io as pio

    # The first chart carries the charting library inline (no network); the rest reuse it.
    return pio.to_html(figure, full_html=False, include_plotlyjs=first, div_id=f"chart-{number}",
                       config={"displaylogo": False})


def _section(number: int, entry: Entry, first_figure: bool) -> str:
    parts = [f"<section id='run-{number}'><h2>{number}. {_text(entry.page)} — {_text(entry.title)}</h2>"]
    if entry.at:
        parts.append(f"<p class='when'>{_text(entry.at)}</p>")
    if entry.settings:
        parts.append(_pairs("Settings", entry.settings))
    for i, prompt in enumerate(entry.prompts, 1):
        label = "Prompt as sent" + (f" ({i})" if len(entry.prompts) > 1 else "")
        parts.append(f"<h3>{label}</h3><pre>{_clipped(prompt)}</pre>")
    for i, output in enumerate(entry.outputs, 1):
        label = "Output" + (f" ({i})" if len(entry.outputs) > 1 else "")
        parts.append(f"<h3>{label}</h3><pre>{_clipped(output)}</pre>")
    if entry.measurements:
        parts.append(_pairs("Measurements", entry.measurements))
    if entry.figure is not None:
        parts.append(_figure(entry.figure, number, first_figure))
    if entry.rows:
        parts.append(_rows(entry.rows))
    return "".join(parts) + "</section>"


STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
pre{white-space:pre-wrap;background:#f4f4f4;padding:.75rem;border-radius:4px}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;
vertical-align:top}caption{text-align:left;font-weight:600}.when{color:#555}section{margin-bottom:2.5rem}"""


def to_html(notebook: Notebook, made_at: str, title: str = "LLM customization lab — notebook") -> str:
    """The whole session as one HTML page: a contents list, then every run in the order it was made."""
    entries = notebook.entries
    contents = "".join(f"<li><a href='#run-{i}'>{_text(e.page)} — {_text(e.title)}</a></li>"
                       for i, e in enumerate(entries, 1))
    intro = (f"<p>{len(entries)} run(s) from one session, written {_text(made_at)}. Every number was measured in the "
             "session with the settings listed beside it; outputs are the models' own words.</p>")
    if notebook.dropped:
        intro += f"<p>The {notebook.dropped:,} oldest run(s) were left out (the notebook keeps the newest {MAX_ENTRIES}).</p>"
    sections, first_figure = [], True
    for i, entry in enumerate(entries, 1):
        sections.append(_section(i, entry, first_figure))
        first_figure = first_figure and entry.figure is None
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{_text(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{_text(title)}</h1>{intro}"
            f"<nav aria-label='Runs'><ol>{contents}</ol></nav>{''.join(sections)}</body></html>")
