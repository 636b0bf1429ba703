"""Every chart reads as text too (lib.charts.describe), and tells groups apart by more than colour."""

import numpy as np
import pandas as pd
import pytest

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


def test_the_scoreboard_puts_f1_on_its_own_axis_and_reads_each_interval():
    summary = [{"technique": "zero-shot", "exact_match": 0.0, "exact_match_low": 0.0, "exact_match_high": 0.0,
                "slot_f1": 0.1, "slot_f1_low": 0.05, "slot_f1_high": 0.2},
               {"technique": "LoRA", "exact_match": 0.8, "exact_match_low": 0.7, "exact_match_high": 0.9,
                "slot_f1": 0.95, "slot_f1_low": 0.9, "slot_f1_high": 1.0}]
    figure = charts.exact_and_f1(summary, "Every technique")
    text, data = charts.describe(figure)
    assert "exact match: zero-shot 0% (95% interval 0% to 0%), LoRA 80% (95% interval 70% to 90%)" in text
    assert "slot F1: zero-shot 0.1 (95% interval 0.05 to 0.2), LoRA 0.95" in text  # a score, not a percentage
    assert figure.layout.xaxis2.tickformat == ".1f" and data["high"].tolist() == [0.0, 0.9, 0.2, 1.0]


def test_accuracy_bars_draw_the_interval_and_the_chance_line():
    table = [{"condition": "zero-shot", "accuracy": 0.1, "accuracy_low": 0.0, "accuracy_high": 0.25},
             {"condition": "4-shot", "accuracy": 0.36, "accuracy_low": 0.2, "accuracy_high": 0.52}]
    figure = charts.accuracy_bars(table, "condition", "accuracy", chance=1 / 3, title="T")
    assert list(figure.data[0].error_y.array) == pytest.approx([0.15, 0.16])
    assert list(figure.data[0].error_y.arrayminus) == pytest.approx([0.1, 0.16])
    assert charts.describe(figure)[0] == ("T: zero-shot 10% (95% interval 0% to 25%), 4-shot 36% (95% interval 20% "
                                          "to 52%). Dashed line: chance 33%.")

def test_markup_in_a_title_or_a_file_name_is_shown_as_written_never_as_markup():
    from lib.projection import legend_label

    figure = charts.accuracy_bars([{"condition": "zero-shot", "accuracy": 0.5}], "condition", "accuracy",
                                  title="My <b>task</b>")
    assert figure.layout.title.text == "My &lt;b&gt;task&lt;/b&gt;"  # Plotly draws it as text, not bold
    assert charts.describe(figure)[0].startswith("My <b>task</b>: ")  # and the summary reads it as written
    named = charts.accuracy_bars([{"file": legend_label("a_<b>x.md"), "accuracy": 0.5}], "file", "accuracy")
    text, table = charts.describe(named)
    assert "a_<b>x.md 50%" in text and "&lt;" not in text and table["x"].tolist() == ["a_<b>x.md"]
