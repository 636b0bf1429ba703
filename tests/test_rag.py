"""RAG on the sample documents with the real embedder and a real FAISS index."""

import json

import numpy as np
import pytest

from lib import documents, projection, rag
from lib.cli import rag as cli_rag
from lib.generation import GenerationSettings


@pytest.fixture(scope="module")
def embeddings():
    from lib.models import load_embeddings

    return load_embeddings()


@pytest.fixture(scope="module")
def index(embeddings):
    return rag.index_of(rag.SAMPLE_DOCS, embeddings)


def test_chunks_respect_the_token_budget_and_know_where_they_start():
    docs = documents.load_folder(rag.SAMPLE_DOCS)
    chunks = rag.split(docs, 64, 8)
    assert all(c.metadata["tokens"] <= 64 for c in chunks)
    by_source = {d.metadata["source"]: d.page_content for d in docs}
    for chunk in chunks:
        start = chunk.metadata["start_index"]
        assert by_source[chunk.metadata["source"]][start:start + len(chunk.page_content)] == chunk.page_content
    assert [c.metadata["chunk"] for c in chunks] == list(range(len(chunks)))


def test_overlap_must_be_smaller_than_chunk():
    with pytest.raises(ValueError, match="overlap"):
        rag.split([], 32, 32)


def test_zero_documents_give_a_clear_error(embeddings):
    with pytest.raises(ValueError, match="no documents"):
        rag.build_index([], embeddings)


def test_questions_file_is_well_formed_and_answers_are_in_their_source():
    questions = rag.load_questions(rag.SAMPLE_QUESTIONS)
    assert len(questions) >= 30
    docs = {d.metadata["source"]: d.page_content for d in documents.load_folder(rag.SAMPLE_DOCS)}
    for item in questions:
        assert item["answer"].lower() in docs[item["source"]].lower(), item


def test_hit_rate_at_4_on_the_shipped_questions(index):
    result = rag.evaluate(index, rag.load_questions(rag.SAMPLE_QUESTIONS), k=4)
    assert result["hit_rate"] >= 0.9


def test_scores_are_cosine_similarities_best_first(index, embeddings):
    hits = rag.retrieve(index, "How long is the DeepHaiku warranty?", k=4)
    assert hits[0].source == "deephaiku.md"
    query = np.asarray(embeddings.embed_query("How long is the DeepHaiku warranty?"))
    for hit in hits:
        chunk_vector = np.asarray(embeddings.embed_documents([hit.chunk.page_content])[0])
        assert hit.score == pytest.approx(float(chunk_vector @ query), abs=1e-4)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_mmr_returns_k_distinct_chunks(index):
    hits = rag.retrieve(index, "What does the kettle do?", k=5, mmr=True)
    assert len({h.chunk.metadata["chunk"] for h in hits}) == 5


def test_augmented_prompt_numbers_passages_and_ends_with_the_question(index):
    hits = rag.retrieve(index, "Who founded the Saltmarsh Observatory?", k=3)
    user = rag.augmented_messages("Who founded the Saltmarsh Observatory?", hits)[-1]["content"]
    assert "[1] (from saltmarsh_observatory.md)" in user
    assert user.endswith("Question: Who founded the Saltmarsh Observatory?")
    assert rag.cited_sources("It was Mabel Quenby [1].", hits) == hits[:1]
    first = f"[1] {hits[0].source} · chunk {hits[0].chunk.metadata['chunk']}"
    assert rag.citation_note("It was Mabel Quenby [1].", hits) == f"Cites: {first}"
    assert rag.citation_note("Mabel Quenby.", hits).startswith("Cites: no passage number — retrieved from ")
    assert [r["rank"] for r in rag.hit_rows(hits)] == [1, 2, 3] and all(len(r["text"]) <= 120 for r in rag.hit_rows(hits))


def test_bad_question_file_names_the_line():
    with pytest.raises(ValueError, match="line 2"):
        rag.parse_questions('{"question": "q", "answer": "a"}\n{"oops": 1}\n')
    with pytest.raises(ValueError, match="no questions"):
        rag.parse_questions("\n\n")


def test_projection_places_the_query_near_its_best_chunk(index):
    proj = projection.fit(index.vectors, "umap", 2)
    assert proj.method == "umap" and proj.points.shape == (len(index.chunks), 2)
    hits = rag.retrieve(index, "How much does a DeepHaiku cost?", k=1)
    star = proj.place(rag.embed_query(index, "How much does a DeepHaiku cost?"))
    distances = np.linalg.norm(proj.points - star, axis=1)
    same_doc = [i for i, c in enumerate(index.chunks) if c.metadata["source"] == hits[0].source]
    assert int(np.argmin(distances)) in same_doc or np.min(distances[same_doc]) < np.median(distances)
    near, share = projection.map_agreement(proj, star, [int(i) for i in np.argsort(distances)[:3]])
    assert share == 1.0 and near == [int(i) for i in np.argsort(distances)[:3]]  # the map's own nearest: all agree
    assert projection.map_agreement(proj, star, [-1, -2])[1] == 0.0


def test_small_corpus_falls_back_to_pca_and_3d_works():
    vectors = np.random.default_rng(0).normal(size=(5, 384)).astype(np.float32)
    proj = projection.fit(vectors, "umap", 3)
    assert proj.method == "pca" and proj.points.shape == (5, 3)
    with pytest.raises(ValueError, match="at least 3"):
        projection.fit(vectors[:2], "pca", 2)


def test_hover_labels_escape_markup():
    label = projection.hover_label("<b>x</b>.md", 1, "<script>alert(1)</script>")
    assert "<script>" not in label and "&lt;script&gt;" in label


def test_cli_prints_hit_rate_as_json(capsys):
    cli_rag.main(["eval", "--retrieval-only", "--k", "4", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert result["hit_rate"] >= 0.9 and result["questions"] >= 30


def test_the_cli_answers_with_the_read_and_answer_adapter_by_default(capsys):
    """The best measured configuration is the default: the adapter, its 3 passages, its form scored."""
    cli_rag.main(["eval", "--limit", "1", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert result["settings"]["reader"] == "read-and-answer adapter" and result["k"] == 3
    assert result["form_rag"] == 1.0 and result["accuracy_plain"] == 0.0


def test_prompt_styles_order_passages_and_choose_the_instruction(index):
    hits = rag.retrieve(index, "Who founded the Saltmarsh Observatory?", k=3)
    last = rag.augmented_messages("Who founded the Saltmarsh Observatory?", hits, rag.PromptStyle("last", True))
    user = last[-1]["content"]
    assert last[0]["content"] == rag.QUOTE_PROMPT and "Copy the words" in rag.QUOTE_PROMPT
    assert user.index("[3] (from") < user.index("[2] (from") < user.index("[1] (from")  # the closest next to the question
    assert rag.augmented_messages("q", hits) == rag.augmented_messages("q", hits, rag.PromptStyle())
    assert [(k, s.best) for k, s in rag.all_styles()].count((1, "last")) == 0 and len(rag.all_styles()) == 10


def test_styles_sweep_scores_every_style_on_the_same_questions(index):
    questions = [{"question": "How much does a DeepHaiku cost?", "answer": "89 euros", "source": "deephaiku.md"}]
    class FirstPassage:
        """A reader that copies the first passage: it holds the fact only where the closest passage comes first."""

        def answer_all(self, conversations, settings):
            return [m[-1]["content"].split("\n\n[")[0] for m in conversations]

    result = rag.styles(index, questions, FirstPassage(), GenerationSettings())
    by = {(s["k"], s["best"], s["quote"]): s for s in result["summary"]}
    assert len(result["rows"]) == len(rag.all_styles()) == len(by)
    assert by[(2, "first", False)]["fact_in_answer"] == 1.0 and by[(4, "last", False)]["fact_in_answer"] == 0.0
    assert all(s["hit_rate"] == 1.0 for s in result["summary"])


def test_the_default_passages_and_style_are_the_stored_sweeps_best_on_the_sample_questions():
    from lib import experiments

    table = rag.styles_compared(experiments.load("rag/styles-sample"), experiments.load("rag/styles-heldout"))
    best = rag.best_style(table)
    assert best["prompt style"] == rag.style_name(rag.DEFAULT_K, rag.PromptStyle())
    assert all(row["held-out set"] is not None for row in table)
    said = rag.styles_said(table)
    assert f"{best['sample questions']:.0%}" in said and f"{best['held-out set']:.0%}" in said
    ties = sum(row["sample questions"] == best["sample questions"] for row in table) - 1
    assert ("tied with" in said) == (ties > 0)  # a tie is said, not sold as the best


@pytest.mark.parametrize("answer, fact, holds", [
    ("Answer: 89.00 euros", "89 euros", True), ("It costs €89.", "89 euros", True), ("89 EUR", "89 euros", True),
    ("1,200 visitors a day", "1200 visitors", True), ("12.5%", "12.5 percent", True), ("It is Teal.", "teal", True),
    ("189 euros", "89 euros", False), ("The answer is: 2.5 years", "5 years", False), ("890 euros", "89 euros", False),
])
def test_a_fact_counts_written_any_equivalent_way_and_only_as_a_whole(answer, fact, holds):
    assert rag.contains_fact(answer, fact) is holds
