"""Plotly figures, built from plain data so pages only place them. Styling lives in the dicts at the top."""

from __future__ import annotations

import numpy as np
import plotly.express as px
import plotly.graph_objects as go

from lib.projection import Projection, hover_label, legend_label

CHUNK_MARKER = {"size": 9, "opacity": 0.75}
QUERY_MARKER = {"size": 22, "symbol": "star", "color": "#111111", "line": {"width": 1, "color": "white"}}
HIT_MARKER = {"size": 16, "symbol": "circle-open", "line": {"width": 3}, "color": "#d62728"}
LINK_LINE = {"color": "#d62728", "width": 1.5, "dash": "dot"}
PALETTE = px.colors.qualitative.Safe + px.colors.qualitative.Pastel


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
    for color, source in zip(PALETTE * 4, sources):
        idx = [i for i, c in enumerate(chunks) if c.metadata["source"] == source]
        fig.add_trace(scatter(
            mode="markers", name=legend_label(source), marker={**CHUNK_MARKER, "color": color},
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
                  title: str = "") -> go.Figure:
    """Bars of a 0–1 measure per condition, with an optional spread column as error bars."""
    fig = px.bar(table, x=x, y=y, color=color, error_y=error, barmode="group", range_y=[0, 1], title=title,
                 text_auto=".0%")
    fig.update_layout(height=380, yaxis_tickformat=".0%", margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def summary_line(table, x: str, color: str, y: str) -> str:
    """A chart's gist in one sentence, for readers who do not see the bars: each group's values, in order."""
    parts = []
    for group, rows in table.groupby(x, sort=False):
        values = ", ".join(f"{c} {v:.0%}" for c, v in zip(rows[color], rows[y]))
        parts.append(f"{group}: {values}")
    return "; ".join(parts) + "."


def context_window(labels: list[str], tokens: list[int], dropped: set[int], limit: int) -> go.Figure:
    """One bar per message, stacked along the token axis; the ones that fell out of the window are greyed."""
    fig = go.Figure()
    for i, (label, count) in enumerate(zip(labels, tokens)):
        fig.add_trace(go.Bar(y=["prompt"], x=[count], orientation="h", name=label, showlegend=False,
                             marker={"color": "#bbbbbb" if i in dropped else PALETTE[i % len(PALETTE)]},
                             text=f"{label}<br>{count}" + (" (forgotten)" if i in dropped else ""),
                             textposition="inside", hovertext=f"{label}: {count} tokens", hoverinfo="text"))
    fig.add_vline(x=limit, line={"color": "#d62728", "width": 3, "dash": "dash"},
                  annotation_text=f"window {limit} tokens", annotation_position="top")
    fig.update_layout(barmode="stack", height=200, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      xaxis_title="tokens, oldest first")
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


def scoreboard_ladder(summary: list[dict], references: list[dict]) -> go.Figure:
    """Exact match per technique (bars, with the spread over seeds) and slot F1 (diamonds); published runs in grey."""
    names = [r["technique"] for r in summary]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=[r["exact_match"] for r in summary], y=names, orientation="h", name="exact match (ours)",
        marker_color=PALETTE[0], text=[f"{r['exact_match']:.0%}" for r in summary], textposition="outside",
        error_x={"type": "data", "symmetric": False, "array": [r["exact_match_max"] - r["exact_match"] for r in summary],
                 "arrayminus": [r["exact_match"] - r["exact_match_min"] for r in summary]},
    ))
    fig.add_trace(go.Scatter(x=[r["slot_f1"] for r in summary], y=names, mode="markers", name="slot F1 (ours)",
                             marker={"symbol": "diamond", "size": 13, "color": "#111111"}))
    if references:
        fig.add_trace(go.Bar(x=[r["exact_match"] for r in references], y=[r["technique"] for r in references],
                             orientation="h", name="published (real ViGGO, larger models)", marker_color="#b0b0b0",
                             text=[f"{r['exact_match']:.0%}" for r in references], textposition="outside"))
    return fig.update_layout(height=120 + 42 * (len(names) + len(references)), xaxis={"range": [0, 1.12],
                             "tickformat": ".0%"}, yaxis={"autorange": "reversed"}, barmode="overlay",
                             legend={"orientation": "h", "y": -0.15})


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
