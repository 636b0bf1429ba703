"""Flattening embeddings to 2-D/3-D for a map, and saying honestly what the flattening distorts.

    >>> proj = fit(vectors, method="umap", dims=2)
    >>> proj.points.shape, proj.place(query_vector).shape
    ((n, 2), (2,))

UMAP keeps neighbourhoods but not distances; PCA is instant and deterministic
but squashes clusters together. Below `MIN_UMAP_POINTS` chunks UMAP has too few
neighbours to mean anything, so PCA is used (and `method` says so). The
question is placed with `transform`, into the same space as the chunks.

numba compiles UMAP's kernels on first use (~10 s); `warm_up()` pays that once
in the background when the server starts, cached under NUMBA_CACHE_DIR.

What this leaves out: t-SNE, and any claim that 2-D distances equal cosine distances.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass

import numpy as np

from lib.models import cache_dir

os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir() / "numba"))

MIN_UMAP_POINTS = 10
SEED = 42


@dataclass
class Projection:
    method: str  # what was actually used: "umap" or "pca"
    points: np.ndarray  # (n, dims)
    model: object

    def place(self, vector: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.transform(vector.reshape(1, -1)), dtype=np.float32)[0]


def fit(vectors: np.ndarray, method: str = "umap", dims: int = 2) -> Projection:
    n = len(vectors)
    if n < 3:
        raise ValueError("A map needs at least 3 chunks; add text or make the chunks smaller.")
    if method == "umap" and n >= MIN_UMAP_POINTS:
        import umap

        # random_state makes the picture reproducible (and UMAP single-threaded, which suits a shared server).
        model = umap.UMAP(n_components=dims, n_neighbors=min(15, n - 1), min_dist=0.1, metric="cosine",
                          random_state=SEED, n_jobs=1)
        return Projection("umap", model.fit_transform(vectors).astype(np.float32), model)
    from sklearn.decomposition import PCA

    model = PCA(n_components=min(dims, n, vectors.shape[1]), random_state=SEED)
    points = model.fit_transform(vectors).astype(np.float32)
    return Projection("pca", points, model)


def nearest_in_picture(projection: Projection, query_point: np.ndarray, k: int) -> list[int]:
    """Chunk numbers closest to the question *on the map*, to set beside the true cosine top-k."""
    distances = np.linalg.norm(projection.points - query_point, axis=1)
    return [int(i) for i in np.argsort(distances)[:k]]


def map_agreement(projection: Projection, query_point: np.ndarray, true_chunks: list[int]) -> tuple[list[int], float]:
    """The chunks nearest the question on the map, and the share of the true top-k among them."""
    near = nearest_in_picture(projection, query_point, len(true_chunks))
    return near, len(set(true_chunks) & set(near)) / max(len(true_chunks), 1)


def warm_up() -> None:
    """Compile UMAP's numba kernels (fit and transform) on throwaway data."""
    rng = np.random.default_rng(0)
    data = rng.normal(size=(40, 8)).astype(np.float32)
    fit(data, "umap", 2).place(data[0])


def legend_label(source: str, width: int = 40) -> str:
    """A file name as a chart legend shows it: as text (Plotly reads a little HTML), and short enough that a
    long name cannot squeeze the chart beside it."""
    name = source if len(source) <= width else source[: width - 1] + "…"
    return html.escape(name)


def hover_label(source: str, chunk_number: int, text: str, width: int = 160) -> str:
    """Plotly hover text understands a little HTML, so chunk text is escaped before it goes in."""
    preview = text[:width].replace("\n", " ") + ("…" if len(text) > width else "")
    return f"{html.escape(source)} · chunk {chunk_number}<br>{html.escape(preview)}"
