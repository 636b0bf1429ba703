"""RAG benchmark, one run: `python bench/rag.py --json`.

- index_s: sample_docs loaded, split, embedded and indexed (FAISS);
- retrieve_ms: question → top-4 chunks (embedding the question included), median of 20;
- map_update_ms: a new question placed on a warm UMAP map and the figure rebuilt, median of 10;
- embed_ratio: our embedding path (LangChain HuggingFaceEmbeddings, batched) over plain
  sentence-transformers `encode` of the same chunks, time / time (1.0 = no overhead);
- raw_faiss_retrieve_ms: the same top-4 search with sentence-transformers + faiss directly.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTION = "How much does a DeepHaiku cost?"


def median_ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).add_argument("--json", action="store_true")
    import faiss
    from sentence_transformers import SentenceTransformer

    from lib import charts, models, projection, rag

    embeddings = models.load_embeddings()
    embeddings.embed_query("warm up")
    started = time.perf_counter()
    index = rag.index_of(rag.SAMPLE_DOCS, embeddings)
    index_s = time.perf_counter() - started
    texts = [c.page_content for c in index.chunks] * 8  # enough text to time throughput

    raw = SentenceTransformer(str(models.embedding_model_path()), device="cpu")
    ours_s = min(median_ms(lambda: rag.embed_texts(embeddings, texts), 1) for _ in range(3))
    raw_s = min(median_ms(lambda: raw.encode(texts, batch_size=64, normalize_embeddings=True), 1) for _ in range(3))

    raw_index = faiss.IndexFlatIP(index.vectors.shape[1])
    raw_index.add(index.vectors)
    raw_retrieve = median_ms(
        lambda: raw_index.search(raw.encode([QUESTION], normalize_embeddings=True), 4), 20)
    retrieve = median_ms(lambda: rag.retrieve(index, QUESTION, 4), 20)

    projection.warm_up()
    proj = projection.fit(index.vectors, "umap", 2)

    def map_update():
        query = rag.embed_query(index, QUESTION)
        hits = rag.retrieve(index, QUESTION, 4, query_vector=query)
        charts.embedding_map(proj, index.chunks, proj.place(query), hits).to_json()

    result = {"chunks": len(index.chunks), "index_s": index_s, "retrieve_ms": retrieve,
              "raw_faiss_retrieve_ms": raw_retrieve, "map_update_ms": median_ms(map_update, 10),
              "embed_ours_ms": ours_s, "embed_raw_ms": raw_s, "embed_ratio": ours_s / raw_s,
              "embed_texts": len(texts)}
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}))


if __name__ == "__main__":
    main()
