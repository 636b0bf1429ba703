"""The take-home notebook (lib.notebook): a session's runs as one self-contained, escaped HTML report."""

import re

import pandas as pd

from lib import charts, notebook
from lib.notebook import Entry, Notebook


def report(*entries: Entry, dropped: int = 0) -> str:
    return notebook.to_html(Notebook(list(entries), dropped), made_at="2026-11-29 14:00")


def test_runs_appear_in_order_with_settings_prompts_outputs_and_measurements():
    html = report(Entry("Few-shot", "Evaluation — sentiment", settings={"shots": 4, "engine": "fast"},
                        prompts=["<|im_start|>user\nGreat   phone!\n\n<|im_end|>"], outputs=["positive"],
                        measurements={"accuracy, 4-shot": 0.5166666}),
                  Entry("RAG", "Answer — fast", outputs=["It costs 14 florins."]))
    first, second = html.index("1. Few-shot — Evaluation — sentiment"), html.index("2. RAG — Answer — fast")
    assert first < second
    assert re.findall(r"<li><a href=\"#run-(\d)\">", html) == ["1", "2"]
    # The prompt exactly as sent: escaped, but every space and line break kept (pre-wrapped).
    assert "<pre>&lt;|im_start|&gt;user\nGreat   phone!\n\n&lt;|im_end|&gt;</pre>" in html
    assert '<th scope="row">shots</th><td>4</td>' in html and "<td>fast</td>" in html
    assert "<td>0.5167</td>" in html and "It costs 14 florins." in html
    assert "2 run(s) from one session, written 2026-11-29 14:00" in html


def test_user_and_model_text_is_text_never_markup():
    html = report(Entry("RAG <b>page</b>", "Answer", settings={"<i>k</i>": "<script>x()</script>"},
                        prompts=["<script>window.hacked = 1</script>"], outputs=["<img src=x onerror=alert(1)>"],
                        rows=[{"input": "<a href='javascript:alert(1)'>go</a>"}]))
    assert "<script" not in html and "<img" not in html and "<b>" not in html and "<a href='javascript" not in html
    assert "&lt;script&gt;window.hacked = 1&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_charts_work_offline_with_the_library_inlined_once():
    bars = charts.accuracy_bars(pd.DataFrame({"condition": ["zero-shot", "4-shot"], "accuracy": [0.1, 0.33]}),
                                "condition", "accuracy", title="intent")
    html = report(Entry("Few-shot", "one", figure=bars), Entry("Few-shot", "two"), Entry("Few-shot", "three", figure=bars))
    assert "id=\"chart-1\"" in html and "id=\"chart-3\"" in html
    assert html.count("plotly.js v") == 1  # the bundle's banner: inlined with the first chart only
    assert not re.search(r"<script[^>]*\bsrc=", html)  # nothing fetched from anywhere
    assert html.index("plotly.js v") < html.index("id=\"chart-1\"") < html.index("id=\"chart-3\"")


def test_a_notebook_without_charts_carries_no_script():
    html = report(Entry("Conversation", "Answer", outputs=["hello"]))
    assert "<script" not in html and len(html) < 5_000


def test_a_long_session_keeps_the_newest_runs_and_says_how_many_were_left_out():
    book = Notebook()
    for i in range(notebook.MAX_ENTRIES + 5):
        book.add(Entry("Overview", f"Answer {i}"))
    assert len(book.entries) == notebook.MAX_ENTRIES and book.dropped == 5
    assert book.entries[0].title == "Answer 5" and book.entries[-1].title == f"Answer {notebook.MAX_ENTRIES + 4}"
    assert f"The 5 oldest run(s) were left out (the notebook keeps the newest {notebook.MAX_ENTRIES})" in \
        notebook.to_html(book, made_at="now")


def test_huge_texts_and_tables_are_cut_with_a_note():
    html = report(Entry("RAG", "Answer", prompts=["x" * (notebook.MAX_TEXT + 1234)],
                        rows=[{"item": i, "score": float("nan") if i == 0 else 1.0}
                              for i in range(notebook.MAX_ROWS + 7)]))
    assert "x" * notebook.MAX_TEXT in html and "x" * (notebook.MAX_TEXT + 1) not in html
    assert "1,234 more characters left out" in html
    assert f"Every item ({notebook.MAX_ROWS + 7:,})" in html and "7 more rows left out." in html
    assert "<td>—</td>" in html  # a missing score (NaN) reads as a dash
