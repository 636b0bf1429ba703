"""Take a measurement home: its rows as CSV and the whole result (settings, summary, rows) as JSON."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st


def csv_and_json(rows: pd.DataFrame, result: dict, stem: str, key: str) -> None:
    left, right = st.columns(2)
    left.download_button("Download CSV", rows.to_csv(index=False), f"{stem}.csv", "text/csv", key=f"{key}_csv")
    right.download_button("Download JSON", json.dumps(result, ensure_ascii=False, indent=1), f"{stem}.json",
                          "application/json", key=f"{key}_json")
