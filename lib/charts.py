"""Plotly figures, built from plain data so pages only place them. Styling lives in the dicts at the top.

Every figure also reads as text (`describe`): one sentence and a table, for readers who do not see the chart.
Colours are Okabe and Ito's, which stay apart for the common kinds of colour blindness, and nothing is told by
colour alone: groups of bars also differ by pattern, documents on the map by marker shape.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from lib.projection import Projection, hover_label, legend_label

# Okabe & Ito (2008), "Color Universal Design": orange, sky blue, bluish green, blue, vermillion, reddish purple,
# yellow (last: it is pale on white).
PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442"]
SYMBOLS = ["circle", "square", "diamond", "cross", "x", "circle-open", "square-open", "diamond-open"]  # 2-D and 3-D
PATTERNS = ["", "/", ".", "x", "-", "+"]
CHUNK_MARKER = {"size": 9, "opacity": 0.8}
QUERY_MARKER = {"size": 22, "symbol": "star", "color": "#111111", "line": {"width": 1, "color": "white"}}
HIT_MARKER = {"size": 16, "symbol": "circle-open", "line": {"width": 3}, "color": "#D55E00"}
LINK_LINE = {"color": "#D55E00", "width": 1.5, "dash": "dot"}
DROPPED = "#bbbbbb"
MAX_TABLE_ROWS = 120  # a longer series is shown by evenly spaced rows (a loss curve of 800 steps: every 7th or so)


def _xyz(points: np.ndarray) -> dict:
    axes = {"x": points[:, 0], "y": points[:, 1]}
    if points.shape[1] > 2:
        axes["z"] = points[:, 2]
    return axes


def embedding_map(projection: Projection, chunks, query_point=None, hits=()) -> go.Figure:
    """Chunks coloured by document; the question as a star joined to its top-k, each labelled with rank and score."""
    three_d = projection.points.shape[1] > 2
    scatter = go.Scatter3d if three_d else go.Scatter
    sources = sorted({c.metadata["source"] for c in chunks})
    fig = go.Figure()
    for n, source in enumerate(sources):
        idx = [i for i, c in enumerate(chunks) if c.metadata["source"] == source]
        fig.add_trace(scatter(
            mode="markers", name=legend_label(source),
            marker={**CHUNK_MARKER, "color": PALETTE[n % len(PALETTE)], "symbol": SYMBOLS[n % len(SYMBOLS)]},
            hovertext=[hover_label(source, i, chunks[i].page_content) for i in idx], hoverinfo="text",
            **_xyz(projection.points[idx]),
        ))
    if query_point is not None:
        for hit in hits:
            point = projection.points[hit.chunk.metadata["chunk"]]
            fig.add_trace(scatter(mode="lines", line=LINK_LINE, showlegend=False, hoverinfo="skip",
                                  **_xyz(np.vstack([query_point, point]))))
        if hits:
            points = projection.points[[h.chunk.metadata["chunk"] for h in hits]]
            fig.add_trace(scatter(
                mode="markers+text", name="retrieved", marker=HIT_MARKER,
                text=[f"#{h.rank} {h.score:.2f}" for h in hits], textposition="top center",
                hovertext=[hover_label(h.source, h.chunk.metadata["chunk"], h.chunk.page_content) for h in hits],
                hoverinfo="text", **_xyz(points),
            ))
        fig.add_trace(scatter(mode="markers", name="your question", marker=QUERY_MARKER, hoverinfo="name",
                              **_xyz(query_point.reshape(1, -1))))
    fig.update_layout(height=560, margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend={"itemsizing": "constant"},
                      title=f"{projection.method.upper()} map of {len(chunks)} chunks")
    return fig


def accuracy_bars(table, x: str, y: str, color: str | None = None, error: str | None = None,
                  title: str = "", chance: float | None = None) -> go.Figure:
    """Bars of a 0–1 measure per condition. Whiskers: the 95 % interval when the table has Y_low and Y_high
    (lib.effects, over items and seeds), else an optional spread column. `chance`: a dashed line where guessing
    lands, so a bar within reach of it is not read as learning."""
    table = pd.DataFrame(table)
    bounds = {}
    if f"{y}_low" in table and f"{y}_high" in table:
        table = table.assign(**{"_above": table[f"{y}_high"] - table[y], "_below": table[y] - table[f"{y}_low"]})
        bounds = {"error_y": "_above", "error_y_minus": "_below"}
    elif error:
        bounds = {"error_y": error}
    # Plotly reads a little HTML in a title: a task's title (the user's words) goes in escaped, shown as written.
    fig = px.bar(table, x=x, y=y, color=color, pattern_shape=color, barmode="group", range_y=[0, 1.08],
                 title=html.escape(title), text_auto=".0%", color_discrete_sequence=PALETTE,
                 pattern_shape_sequence=PATTERNS, **bounds)
    # Outside the bar, so a bar at 0 % still says "0%".
    fig.update_traces(textposition="outside", cliponaxis=False)
    if chance is not None:
        fig.add_hline(y=chance, line_dash="dash", line_color="#55545f", annotation_text=f"chance {chance:.0%}",
                      annotation_position="top left")
    fig.update_layout(height=380, yaxis_tickformat=".0%", margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def context_window(labels: list[str], tokens: list[int], dropped: set[int], limit: int) -> go.Figure:
    """One bar per message, stacked along the token axis; the ones that fell out of the window are greyed."""
    fig = go.Figure()
    for i, (label, count) in enumerate(zip(labels, tokens)):
        fig.add_trace(go.Bar(y=["prompt"], x=[count], orientation="h", name=label, showlegend=False,
                             marker={"color": DROPPED if i in dropped else PALETTE[i % len(PALETTE)],
                                     "pattern": {"shape": "x" if i in dropped else ""}},
                             text=f"{label}<br>{count}" + (" (forgotten)" if i in dropped else ""),
                             textposition="inside", insidetextfont={"size": 15}, hovertext=f"{label}: {count} tokens",
                             hoverinfo="text"))
    fig.add_vline(x=limit, line={"color": "#D55E00", "width": 3, "dash": "dash"},
                  annotation_text=f"window {limit} tokens", annotation_position="top")
    fig.update_layout(barmode="stack", height=240, margin={"l": 10, "r": 10, "t": 40, "b": 10}, font={"size": 15},
                      xaxis_title="tokens, oldest first", title="Tokens per message in the next prompt")
    return fig


def loss_curve(losses: list[float], title: str = "Training loss") -> go.Figure:
    return px.line(x=list(range(1, len(losses) + 1)), y=losses, markers=len(losses) < 80,
                   labels={"x": "step", "y": "loss"}, title=title).update_layout(height=320)


def cost_ladder(rows: list[dict]) -> go.Figure:
    """FLOPs per option on a log axis: each rung is many powers of ten below the one above."""
    fig = px.bar(rows, x="flops", y="option", orientation="h", log_x=True, text=[f"{r['flops']:.1e}" for r in rows],
                 labels={"flops": "FLOPs (log scale)", "option": ""}, color="option",
                 color_discrete_sequence=PALETTE)
    return fig.update_layout(height=300, showlegend=False, yaxis={"autorange": "reversed"})


def icl_cost(summary: list[dict], adapter: str, training_seconds: float, crossings: dict[str, float]) -> go.Figure:
    """Hours of compute after 1 to 100,000 queries, log–log: each prompting way a line from the origin, the
    adapter's a line that starts at its training time; a cross where the adapter becomes the cheaper of the two."""
    queries = np.unique(np.logspace(0, 5, 60).astype(int)).tolist()
    fig = go.Figure()
    for i, row in enumerate(summary):
        fixed = training_seconds if row["condition"] == adapter else 0.0
        fig.add_trace(go.Scatter(x=queries, y=[(fixed + row["seconds"] * q) / 3600 for q in queries], mode="lines",
                                 name=html.escape(row["condition"]),
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 4 if fixed else 2,
                                       "dash": "solid" if fixed else ["dot", "dash", "dashdot", "longdash"][i % 4]}))
    adapter_seconds = next(r["seconds"] for r in summary if r["condition"] == adapter)
    for way, q in crossings.items():
        fig.add_trace(go.Scatter(x=[q], y=[(training_seconds + adapter_seconds * q) / 3600], mode="markers",
                                 marker={"size": 12, "color": "#111111", "symbol": "x"}, showlegend=False,
                                 hovertext=html.escape(f"{way}: the adapter is cheaper after {q:,.0f} queries"),
                                 hoverinfo="text"))
    return fig.update_layout(height=460, xaxis={"type": "log", "title": "queries answered"},
                             yaxis={"type": "log", "title": "hours of compute on this machine"},
                             legend={"title": ""})


def exact_and_f1(summary: list[dict], title: str) -> go.Figure:
    """Exact match per technique (share of sentences, 0–100 %) beside slot F1 (partial credit, 0–1) on an axis of
    its own; whiskers the 95 % interval over sentences and shot samplings where the summary has one."""
    from plotly.subplots import make_subplots

    names = [r["technique"] for r in summary]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=("Exact match (share of sentences)", "Slot F1 (partial credit, 0–1)"))
    for col, (measure, label, colour, text) in enumerate((
            ("exact_match", "exact match", PALETTE[0], lambda v: f"{v:.0%}"),
            ("slot_f1", "slot F1", PALETTE[1], lambda v: f"{v:.2f}")), start=1):
        whiskers = ({"type": "data", "symmetric": False,
                     "array": [r[f"{measure}_high"] - r[measure] for r in summary],
                     "arrayminus": [r[measure] - r[f"{measure}_low"] for r in summary]}
                    if all(f"{measure}_low" in r for r in summary) else None)
        fig.add_trace(go.Bar(x=[r[measure] for r in summary], y=names, orientation="h", name=label,
                             marker={"color": colour, "pattern": {"shape": PATTERNS[col - 1]}},
                             text=[text(r[measure]) for r in summary], textposition="outside", cliponaxis=False,
                             error_x=whiskers), row=1, col=col)
    fig.update_xaxes(range=[0, 1.25], tickformat=".0%", row=1, col=1)
    fig.update_xaxes(range=[0, 1.25], tickformat=".1f", row=1, col=2)
    return fig.update_layout(title=html.escape(title), height=160 + 52 * len(names),
                             yaxis={"autorange": "reversed"}, showlegend=False)


def weight_picture(matrix: np.ndarray, title: str) -> go.Figure:
    """A corner of a weight matrix as a heat map (red positive, blue negative)."""
    return (px.imshow(matrix, color_continuous_scale="RdBu_r", title=title, aspect="equal")
            .update_layout(height=340, margin={"l": 0, "r": 0, "t": 40, "b": 0}))


def singular_values(delta: np.ndarray, rank: int, shown: int = 24) -> go.Figure:
    """The largest singular values of a LoRA update: only `rank` of them are not zero."""
    values = np.linalg.svd(delta, compute_uv=False)[:shown]
    return (px.bar(x=np.arange(1, len(values) + 1), y=values, labels={"x": "singular value #", "y": "size"},
                   title=f"ΔW has only {rank} non-zero singular values: that is what 'low rank' means")
            .update_layout(height=300))


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _number(value, percent: bool) -> str:
    return (f"{value:.0%}" if percent else f"{value:.3g}") if _is_number(value) else str(value)


def describe(fig: go.Figure) -> tuple[str, pd.DataFrame]:
    """The chart for readers who do not see it: one sentence (each series' values, or a long series' start, end,
    lowest and highest) and its data as a table."""
    layout = fig.layout
    # Names and titles go into Plotly HTML-escaped (it reads a little HTML); said as text, they are unescaped.
    title = html.unescape(layout.title.text or "Chart")
    rows, parts = [], []
    for trace in fig.data:
        # Each trace's own value axis says whether it is a share (a subplot may hold a 0–1 score beside it).
        axis = getattr(layout, ("x" if getattr(trace, "orientation", None) == "h" else "y") + "axis"
                       + ((getattr(trace, "xaxis" if getattr(trace, "orientation", None) == "h" else "yaxis", "")
                           or "")[1:] or ""), None)
        percent = "%" in str(getattr(axis, "tickformat", "") or "")
        if trace.hoverinfo == "skip":  # a connecting line, not data
            continue
        name = html.unescape(trace.name or "")
        if trace.type == "heatmap":
            z = np.asarray(trace.z, dtype=float)
            parts.append(f"a {z.shape[0]}×{z.shape[1]} grid of values from {z.min():.3g} to {z.max():.3g}")
            rows += [{"series": name, "row": i, "column": j, "value": round(float(v), 4)}
                     for i, line in enumerate(z) for j, v in enumerate(line)]
            continue
        xs, ys = (list(axis) if axis is not None else [] for axis in (trace.x, trace.y))
        if not xs or not ys:
            continue
        # Label first: a horizontal chart has its names on y (bars say so; markers beside them don't).
        horizontal = getattr(trace, "orientation", None) == "h" or (_is_number(xs[0]) and not _is_number(ys[0]))
        labels, values = (ys, xs) if horizontal else (xs, ys)
        labels = [html.unescape(v) if isinstance(v, str) else v for v in labels]
        third = list(trace.z) if getattr(trace, "z", None) is not None else None
        error = (getattr(trace, "error_x", None) if horizontal else getattr(trace, "error_y", None))
        above = list(error.array) if error is not None and error.array is not None else None
        below = list(error.arrayminus) if above is not None and error.arrayminus is not None else above
        for i, (label, value) in enumerate(zip(labels, values)):
            rows.append({"series": name, "x": label, "y": value} | ({"z": third[i]} if third else {})
                        | ({"low": value - below[i], "high": value + above[i]} if above else {}))
        numbers = [v for v in values if _is_number(v)]
        if trace.type == "bar" or len(values) <= 8:
            said = ", ".join(f"{label} {_number(value, percent)}"
                             + (f" (95% interval {_number(value - below[i], percent)} to "
                                f"{_number(value + above[i], percent)})" if above else "")
                             for i, (label, value) in enumerate(zip(labels, values)))
        elif trace.type == "scatter" and "lines" in (trace.mode or "lines") and numbers:
            said = (f"{len(values)} points, from {_number(values[0], percent)} at {labels[0]} to "
                    f"{_number(values[-1], percent)} at {labels[-1]} (lowest {_number(min(numbers), percent)}, "
                    f"highest {_number(max(numbers), percent)})")
        else:
            said = f"{len(values)} points"
        parts.append(f"{name}: {said}" if name else said)
    text = f"{title}: " + ("; ".join(parts) if parts else "no data") + "."
    lines = [a.text for a in layout.annotations or () if str(a.text or "").startswith("chance")]
    if lines:  # the chance line drawn across the bars
        text += f" Dashed line: {lines[0]}."
    if len(rows) > MAX_TABLE_ROWS:
        rows = [rows[i] for i in np.linspace(0, len(rows) - 1, MAX_TABLE_ROWS).round().astype(int)]
    return text, pd.DataFrame(rows)
