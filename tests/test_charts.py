"""Every chart reads as text too (lib.charts.describe), and tells groups apart by more than colour."""

import numpy as np
import pandas as pd

from lib import charts


def test_grouped_bars_read_as_each_groups_values_in_percent_and_differ_by_pattern():
    table = pd.DataFrame({"way": ["chat", "chat", "base", "base"], "shots": ["0", "4", "0", "4"],
                          "accuracy": [0.1, 0.333, 0.0, 0.75]})
    fig = charts.accuracy_bars(table, "way", "accuracy", color="shots", title="intent")
    text, data = charts.describe(fig)
    assert text == "intent: 0: chat 10%, base 0%; 4: chat 33%, base 75%."
    assert data.to_dict("records")[-1] == {"series": "4", "x": "base", "y": 0.75}
    assert [t.marker.pattern.shape for t in fig.data] == ["", "/"]  # not by colour alone
    assert all(t.textposition == "outside" for t in fig.data)  # a 0 % bar still carries its label


def test_a_long_curve_reads_as_its_start_end_and_extremes():
    losses = [4.0 - 0.02 * i for i in range(100)] + [2.5]
    text, data = charts.describe(charts.loss_curve(losses))
    assert text == "Training loss: 101 points, from 4 at 1 to 2.5 at 101 (lowest 2.02, highest 4)."
    assert len(data) == 101 and list(data.columns) == ["series", "x", "y"]
    _, longer = charts.describe(charts.loss_curve([1.0] * 800))
    assert len(longer) == charts.MAX_TABLE_ROWS and longer["x"].iloc[0] == 1 and longer["x"].iloc[-1] == 800


def test_a_heat_map_reads_as_its_grid_and_range():
    text, data = charts.describe(charts.weight_picture(np.array([[1.0, -2.0], [0.5, 3.0]]), "W"))
    assert text == "W: a 2×2 grid of values from -2 to 3."
    assert data["value"].tolist() == [1.0, -2.0, 0.5, 3.0]


def test_horizontal_bars_and_markers_read_label_first():
    summary = [{"technique": "zero-shot", "exact_match": 0.0, "exact_match_min": 0.0, "exact_match_max": 0.0,
                "slot_f1": 0.1}, {"technique": "LoRA", "exact_match": 0.8, "exact_match_min": 0.7,
                                  "exact_match_max": 0.9, "slot_f1": 0.95}]
    text, _ = charts.describe(charts.scoreboard_ladder(summary, []))
    assert "exact match (ours): zero-shot 0%, LoRA 80%" in text and "slot F1 (ours): zero-shot 10%, LoRA 95%" in text
