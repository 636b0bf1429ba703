"""Retrieval-augmented generation: split → embed → FAISS → retrieve → augmented prompt, and its evaluation.

    >>> index = index_of(SAMPLE_DOCS, embeddings)          # split(…, CHUNK_TOKENS, OVERLAP_TOKENS), then embedded
    >>> hits = retrieve(index, "How much does a DeepHaiku cost?", k=4)
    >>> messages = augmented_messages("How much does a DeepHaiku cost?", hits)

Chunk sizes are measured in MiniLM word pieces, the unit the embedder truncates
at (256). Vectors are normalized, so FAISS's inner product is the cosine.
The index is built from vectors in memory, never loaded from a pickle.

What this leaves out: hybrid (keyword) search, re-ranking, persistence.
CLI: `python -m lib.cli.rag eval --docs DIR --questions FILE.jsonl [--k K] [--no-reader] --json` (by default the
read-and-answer adapter answers, the best measured configuration; --no-reader asks the bundled chat model);
`python -m lib.cli.rag styles --docs DIR --questions FILE.jsonl --json`: fact-in-answer for every prompt style
(how many passages, where the closest goes, answer or quote). DEFAULT_K was chosen with it on the sample
questions; data/rag_heldout/ (documents and questions written apart, used to choose nothing) checks the choice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.documents import Document

from lib import schema
from lib.documents import load_folder
from lib.scheduler import step

SAMPLE_DOCS = Path(__file__).resolve().parent.parent / "sample_docs"
SAMPLE_QUESTIONS = SAMPLE_DOCS / "questions.jsonl"
HELDOUT_DOCS = SAMPLE_DOCS.parent / "data" / "rag_heldout"
DOC_SETS = {"sample": SAMPLE_DOCS, "heldout": HELDOUT_DOCS}  # each folder holds its questions.jsonl
DOC_SET_LABELS = {"sample": "the sample documents", "heldout": "held-out documents (written apart, tuned on nothing)"}
CHUNK_TOKENS, OVERLAP_TOKENS = 128, 16  # the index every stored result and the shared sample index use
DEFAULT_K = 2  # the style chosen on the sample questions (`rag styles`; data/results/rag/styles-sample.json), in a tie
STYLE_KS = (1, 2, 4)
EMBEDDER_MAX_TOKENS = 256  # all-MiniLM-L6-v2 silently truncates beyond this
SYSTEM_PROMPT = (
    "Answer the question using only the numbered context passages. "
    "Cite the passage you used like [1]. If the context does not contain the answer, say you don't know."
)


@dataclass(frozen=True)
class Hit:
    rank: int
    chunk: Document
    score: float  # cosine similarity to the question

    @property
    def source(self) -> str:
        return self.chunk.metadata["source"]


@dataclass
class Index:
    chunks: list[Document]
    vectors: np.ndarray  # (n_chunks, dim), unit length
    store: object  # langchain_community FAISS
    embeddings: object

    def fingerprint(self) -> str:
        return hashlib.sha1(self.vectors.tobytes()).hexdigest()[:12]


def embedding_tokenizer():
    from transformers import AutoTokenizer

    from lib.models import embedding_model_path

    return AutoTokenizer.from_pretrained(str(embedding_model_path()))


def split(docs: list[Document], chunk_tokens: int, overlap_tokens: int, tokenizer=None) -> list[Document]:
    """Chunks measured in embedder tokens; each knows its source, number and start offset in the document."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    if overlap_tokens >= chunk_tokens:
        raise ValueError("The overlap must be smaller than the chunk size.")
    tokenizer = tokenizer or embedding_tokenizer()
    splitter = RecursiveCharacterTextSplitter.from_huggingface_tokenizer(
        tokenizer, chunk_size=chunk_tokens, chunk_overlap=overlap_tokens
    )
    chunks = splitter.split_documents(docs)
    # Offsets found here rather than with add_start_index, which returns -1 for some overlapping chunks.
    texts = {d.metadata["source"]: d.page_content for d in docs}
    cursor: dict[str, int] = {}
    for number, chunk in enumerate(chunks):
        source = chunk.metadata["source"]
        start = texts[source].find(chunk.page_content, cursor.get(source, 0))
        chunk.metadata["start_index"] = start if start >= 0 else texts[source].find(chunk.page_content)
        cursor[source] = max(chunk.metadata["start_index"], 0) + 1
        chunk.metadata["chunk"] = number
        chunk.metadata["tokens"] = len(tokenizer(chunk.page_content, add_special_tokens=False)["input_ids"])
    return chunks


def embed_texts(embeddings, texts: list[str], progress: Callable[[float], None] = lambda _f: None,
                batch_size: int = 64) -> np.ndarray:
    parts = []
    for start in range(0, len(texts), batch_size):
        with step():  # a turn on the shared CPU per batch of 64
            parts.append(np.asarray(embeddings.embed_documents(texts[start : start + batch_size]), dtype=np.float32))
        progress(min(1.0, (start + batch_size) / max(len(texts), 1)))
    return np.vstack(parts) if parts else np.zeros((0, 384), dtype=np.float32)


def build_index(chunks: list[Document], embeddings, progress: Callable[[float], None] = lambda _f: None) -> Index:
    """A FAISS inner-product index over the chunks. Raises ValueError on zero chunks."""
    from langchain_community.vectorstores import FAISS
    from langchain_community.vectorstores.utils import DistanceStrategy

    if not chunks:
        raise ValueError("There are no documents to index. Add sample documents or upload a file.")
    texts = [c.page_content for c in chunks]
    vectors = embed_texts(embeddings, texts, progress)
    store = FAISS.from_embeddings(
        list(zip(texts, vectors.tolist())), embeddings, metadatas=[c.metadata for c in chunks],
        distance_strategy=DistanceStrategy.MAX_INNER_PRODUCT,
    )
    return Index(chunks, vectors, store, embeddings)


def index_of(folder: Path, embeddings) -> Index:
    """A folder's index the way every stored result and the shared sample index build it."""
    return build_index(split(load_folder(folder), CHUNK_TOKENS, OVERLAP_TOKENS), embeddings)


def embed_query(index: Index, question: str) -> np.ndarray:
    return np.asarray(index.embeddings.embed_query(question), dtype=np.float32)


def retrieve(index: Index, question: str, k: int = 4, mmr: bool = False,
             query_vector: np.ndarray | None = None) -> list[Hit]:
    """Top-k chunks by cosine similarity (or MMR: relevant but not redundant), best first."""
    vector = embed_query(index, question) if query_vector is None else query_vector
    k = min(k, len(index.chunks))
    if mmr:
        found = index.store.max_marginal_relevance_search_with_score_by_vector(
            vector.tolist(), k=k, fetch_k=min(len(index.chunks), 4 * k))
    else:
        found = index.store.similarity_search_with_score_by_vector(vector.tolist(), k=k)
    # Scores as true cosine from our own vectors, so both modes report the same measure.
    return [Hit(rank, doc, float(index.vectors[doc.metadata["chunk"]] @ vector))
            for rank, (doc, _score) in enumerate(found, start=1)]


QUOTE_PROMPT = (
    "Answer the question using only the numbered context passages. Copy the words of the passage that answer it, "
    "and cite the passage like [1]. If the context does not contain the answer, say you don't know."
)


@dataclass(frozen=True)
class PromptStyle:
    """How retrieved passages are put in front of the model (the knobs the RAG evaluation compares)."""

    best: str = "first"  # "first" | "last": the closest passage opens the context, or sits next to the question
    quote: bool = False  # ask for the passage's own words (QUOTE_PROMPT) instead of an answer (SYSTEM_PROMPT)

    def order(self, hits: list[Hit]) -> list[Hit]:
        return list(reversed(hits)) if self.best == "last" else list(hits)

    @property
    def instruction(self) -> str:
        return QUOTE_PROMPT if self.quote else SYSTEM_PROMPT


def context_block(hits: list[Hit]) -> str:
    return "\n\n".join(f"[{h.rank}] (from {h.source})\n{h.chunk.page_content}" for h in hits)


def augmented_messages(question: str, hits: list[Hit], style: PromptStyle = PromptStyle()) -> list[dict[str, str]]:
    """The prompt with retrieved passages numbered for citation (their rank: [1] is the closest, wherever it goes)."""
    return [
        {"role": "system", "content": style.instruction},
        {"role": "user", "content": f"Context:\n{context_block(style.order(hits))}\n\nQuestion: {question}"},
    ]


def all_styles() -> list[tuple[int, PromptStyle]]:
    """Every (passages, style) the styles sweep compares: with one passage its place makes no difference."""
    return [(k, PromptStyle(best, quote)) for k in STYLE_KS for best in ("first", "last") for quote in (False, True)
            if k > 1 or best == "first"]


def styles(index: Index, questions: list[dict], backend, settings) -> dict:
    """Fact-in-answer (and hit-rate) for every prompt style, the same questions each time, answered by `backend`
    (backends.py) with `settings`; rows per question."""
    rows = []
    hits_at = {k: [retrieve(index, q["question"], k) for q in questions] for k in STYLE_KS}  # once per k, not per style
    for k, style in all_styles():
        hits = hits_at[k]
        answers = backend.answer_all([augmented_messages(q["question"], h, style) for q, h in zip(questions, hits)],
                                     settings)
        rows += [{"k": k, "best": style.best, "quote": style.quote, "question": q["question"], "expected": q["answer"],
                  "output": a, "fact": contains_fact(a, q["answer"]), "hit": is_hit(h, q)}
                 for q, h, a in zip(questions, hits, answers)]
    summary = []
    for k, style in all_styles():
        mine = [r for r in rows if (r["k"], r["best"], r["quote"]) == (k, style.best, style.quote)]
        summary.append({"k": k, "best": style.best, "quote": style.quote, "style": style_name(k, style),
                        "fact_in_answer": float(np.mean([r["fact"] for r in mine])),
                        "hit_rate": float(np.mean([r["hit"] for r in mine]))})
    return {"questions": len(questions), "summary": summary, "rows": rows}


def style_name(k: int, style: PromptStyle) -> str:
    where = "" if k == 1 else f", closest {style.best}"
    return f"{k} passage{'s' if k > 1 else ''}{where}, {'quote' if style.quote else 'answer'}"


def styles_compared(sample: dict, heldout: dict | None) -> list[dict]:
    """One row a prompt style: fact-in-answer on the sample questions and on the held-out set (where stored)."""
    other = {row["style"]: row for row in (heldout or {}).get("summary", [])}
    return [{"prompt style": row["style"], "sample questions": row["fact_in_answer"],
             "held-out set": other.get(row["style"], {}).get("fact_in_answer"), "hit-rate (sample)": row["hit_rate"]}
            for row in sample["summary"]]


def best_style(table: list[dict]) -> dict:
    """The style with the most facts in answers on the sample questions; between equals, the better retrieval."""
    return max(table, key=lambda r: (r["sample questions"], r["hit-rate (sample)"]))


def styles_said(table: list[dict]) -> str:
    """What the styles sweep found, in words: the style chosen on the sample questions and how it held up."""
    best = best_style(table)
    tied = sum(r["sample questions"] == best["sample questions"] for r in table) - 1
    said = (f"Chosen on the sample questions: {best['prompt style']} ({best['sample questions']:.0%} of answers hold "
            "the fact" + (f", tied with {tied} other style{'s' if tied > 1 else ''} and chosen for its retrieval)"
                          if tied else ")"))
    if best["held-out set"] is not None:
        said += f"; on the held-out documents, which chose nothing, the same style gets {best['held-out set']:.0%}"
    top = max(max(r["sample questions"], r["held-out set"] or 0) for r in table)
    said += (f". No prompt style took the answers past {top:.0%}. A style chosen from several on few questions looks "
             "better than it is there: its held-out figure is the fairer one.")
    return said


def plain_messages(question: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": question}]


def cited_sources(answer: str, hits: list[Hit]) -> list[Hit]:
    """The passages an answer cites by number, e.g. '[2]'."""
    return [h for h in hits if f"[{h.rank}]" in answer]


def hit_rows(hits: list[Hit], preview_chars: int = 120) -> list[dict]:
    """The retrieved passages as table rows: rank, cosine, source, chunk number, the start of the text."""
    return [{"rank": h.rank, "cosine": round(h.score, 3), "source": h.source, "chunk": h.chunk.metadata["chunk"],
             "text": h.chunk.page_content[:preview_chars]} for h in hits]


def citation_note(answer: str, hits: list[Hit]) -> str:
    """Which passages an answer cites, or that it cites none (with where the passages came from)."""
    cited = cited_sources(answer, hits)
    if cited:
        return "Cites: " + ", ".join(f"[{h.rank}] {h.source} · chunk {h.chunk.metadata['chunk']}" for h in cited)
    return "Cites: no passage number — retrieved from " + ", ".join(sorted({h.source for h in hits}))


# Ways of writing a unit that mean the same, mapped to one; a currency sign before its number moves after it.
UNITS = {"€": "euros", "eur": "euros", "euro": "euros", "$": "dollars", "usd": "dollars", "dollar": "dollars",
         "£": "pounds", "gbp": "pounds", "pound": "pounds", "%": "percent", "per cent": "percent",
         "kilometers": "kilometres", "kilometer": "kilometres", "km": "kilometres", "kilometre": "kilometres"}
_SIGN_FIRST = re.compile(r"([€$£])\s*(\d[\d,]*(?:\.\d+)?)")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_UNIT = re.compile(r"(?<![a-z])(" + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True)) + r")(?![a-z])")


def normalised(text: str) -> str:
    """Text with numbers and units written one way: "€89.00" and "89 EUR" both read "89 euros"; "1,200" reads
    "1200". What it leaves out: numbers in words ("twelve"), and units not in UNITS."""
    text = _SIGN_FIRST.sub(r"\2 \1", text.lower())
    text = _NUMBER.sub(lambda m: f"{float(m.group().replace(',', '')):g}" if len(m.group()) < 16 else m.group(), text)
    text = _UNIT.sub(lambda m: f" {UNITS[m.group(1)]} ", text)
    return " ".join(text.split())


def contains_fact(answer: str, fact: str) -> bool:
    """The expected fact is in the answer as a whole phrase ("89 euros" is not in "189 euros"), written any
    equivalent way (numbers and units normalised)."""
    return re.search(r"(?<![\w.])" + re.escape(normalised(fact)) + r"(?!\w)", normalised(answer)) is not None


class Question(schema.Record):
    """A line of a question file: a question, the fact its answer must hold, and the document it is from."""
    question: schema.Text
    answer: schema.Text
    source: schema.Text = ""


def parse_questions(text: str) -> list[dict]:
    """JSONL of {"question", "answer", "source"}; raises ValueError naming the bad line."""
    questions = [row.model_dump() for _, row in schema.jsonl(text, Question, ValueError)]
    if not questions:
        raise ValueError("the question file has no questions")
    return questions


def load_questions(path: Path) -> list[dict]:
    return parse_questions(Path(path).read_text(encoding="utf-8"))


def is_hit(hits: list[Hit], item: dict) -> bool:
    """Retrieval succeeded when a retrieved chunk holds the answer (from the right document, when one is named)."""
    return any(contains_fact(h.chunk.page_content, item["answer"])
               and (not item["source"] or h.source == item["source"]) for h in hits)


def evaluate(index: Index, questions: list[dict], k: int, backend=None, settings=None, mmr: bool = False) -> dict:
    """hit-rate@k, and (given a `backend` (backends.py) and its generation `settings`) fact accuracy with and
    without RAG."""
    rows = []
    for item in questions:
        hits = retrieve(index, item["question"], k, mmr)
        rows.append({**item, "hit": is_hit(hits, item), "retrieved": [h.source for h in hits], "_hits": hits})
    result = {"k": k, "questions": len(rows), "hit_rate": float(np.mean([r["hit"] for r in rows]))}
    if backend is not None:
        with_rag = backend.answer_all([augmented_messages(r["question"], r["_hits"]) for r in rows], settings)
        without = backend.answer_all([plain_messages(r["question"]) for r in rows], settings)
        for row, a, b in zip(rows, with_rag, without):
            row.update(answer_rag=a, answer_plain=b, correct_rag=contains_fact(a, row["answer"]),
                       correct_plain=contains_fact(b, row["answer"]))
        result["accuracy_rag"] = float(np.mean([r["correct_rag"] for r in rows]))
        result["accuracy_plain"] = float(np.mean([r["correct_plain"] for r in rows]))
    for row in rows:
        del row["_hits"]
    result["rows"] = rows
    return result
