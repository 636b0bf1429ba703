"""Take results home: a measurement's rows as CSV and the whole result as JSON; the session's lab notebook."""

from __future__ import annotations

import json
import time

import pandas as pd
import streamlit as st

from lib import notebook as lab_notebook
from lib import runtime


def csv_and_json(rows: pd.DataFrame, result: dict, stem: str, key: str) -> None:
    left, right = st.columns(2)
    left.download_button("Download CSV", rows.to_csv(index=False), f"{stem}.csv", "text/csv", key=f"{key}_csv",
                         on_click="ignore")
    right.download_button("Download JSON", json.dumps(result, ensure_ascii=False, indent=1), f"{stem}.json",
                          "application/json", key=f"{key}_json", on_click="ignore")


def notebook(container) -> None:
    """The session's lab notebook (lib.notebook): every run made here, as one HTML report to keep.

    Written when pressed, from the runs made by then (the label can't count them: an answer given inside a
    fragment does not redraw the sidebar)."""
    book = runtime.session_notebook()
    container.download_button(
        "Download your lab notebook",
        lambda: lab_notebook.to_html(lab_notebook.Notebook(list(book.entries), book.dropped),
                                     time.strftime("%Y-%m-%d %H:%M")),
        "llm-lab-notebook.html", "text/html", key="notebook_download", icon=":material/download:",
        # A download changes nothing on the page: rerunning it (the RAG page rebuilds its index and map) only
        # made the file wait behind the rerun on a busy server.
        on_click="ignore",
        help="Every answer, evaluation and training run of this session: the prompts as sent, the outputs, the "
             "settings, the measurements and the charts, as one HTML file that works offline.")
