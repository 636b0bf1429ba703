"""RAG lab: documents → chunks → embeddings → FAISS → map → augmented prompt → answer with citations."""

import hashlib
import json

import pandas as pd
import streamlit as st

from lib import charts, documents, form_fact, projection, rag, runtime
from lib.generation import GenerationSettings
from lib.textsafe import escape_markdown
from ui import downloads, guide, widgets
from ui import rag as ui_rag

st.title("Retrieval-augmented generation (RAG)")
st.write("The model has never read these documents. RAG looks up the passages closest to your question and "
         "pastes them into the prompt, so the answer can come from the page instead of from memory.")

# ---- 1. Corpus and knobs -------------------------------------------------------------------------
left, right = st.columns([3, 2])
with left:
    use_samples = st.toggle("Include the sample documents (8 made-up topics)", True, key="rag_samples")
    uploads = st.file_uploader(
        "Add your own files (.txt, .md, .pdf — they stay in your session only)", type=["txt", "md", "pdf"],
        accept_multiple_files=True, key="rag_uploads", max_upload_size=documents.MAX_FILE_MB,
        help=f"Up to {documents.MAX_FILE_MB} MB a file, {documents.MAX_PDF_PAGES} pages a PDF, and "
             f"{documents.MAX_TOTAL_CHARS:,} characters for your files together.")
with right:
    chunk_tokens = st.slider("Chunk size (tokens)", 32, 512, rag.CHUNK_TOKENS, 16, key="rag_chunk")
    overlap = st.slider("Overlap (tokens)", 0, 128, rag.OVERLAP_TOKENS, 8, key="rag_overlap")
    if chunk_tokens > rag.EMBEDDER_MAX_TOKENS:
        st.warning(f"MiniLM reads only the first {rag.EMBEDDER_MAX_TOKENS} tokens of a chunk; the rest is ignored "
                   "when searching.")
    if overlap >= chunk_tokens:
        st.error("The overlap must be smaller than the chunk size.")
        st.stop()

files = [(f.name, f.getvalue()) for f in uploads or []]
corpus_key = json.dumps([use_samples, chunk_tokens, overlap,
                         [(n, hashlib.sha1(d).hexdigest()) for n, d in files]])


def build():
    docs = documents.load_folder(rag.SAMPLE_DOCS) if use_samples else []
    mine, problems = documents.load_uploads(files)
    with st.status("Building the index…", expanded=True) as status:
        status.write(f"**Load:** {len(docs)} sample + {len(mine)} uploaded documents")
        chunks = rag.split(docs + mine, chunk_tokens, overlap)
        status.write(f"**Split:** {len(chunks)} chunks of ≤ {chunk_tokens} tokens, {overlap} overlapping")
        bar = st.progress(0.0, text="Embedding chunks with all-MiniLM-L6-v2…")
        index = runtime.run_queued(rag.build_index, chunks, runtime.embeddings(),
                                   lambda f: bar.progress(f, text=f"Embedding… {f:.0%}")) if chunks else None
        status.write(f"**Index:** FAISS inner-product index of {len(chunks)} vectors × "
                     f"{index.vectors.shape[1] if index else 0} dimensions")
        status.update(label="Index ready", state="complete", expanded=False)
    return {"key": corpus_key, "index": index, "problems": problems, "maps": {}}


if st.session_state.get("rag", {}).get("key") != corpus_key:
    st.session_state.rag = build()
corpus = st.session_state.rag
for problem in corpus["problems"]:
    st.error(escape_markdown(problem))  # file names are user input
index = corpus["index"]
if index is None:
    st.info("There are no documents to search. Turn on the sample documents or upload a file.")
    st.stop()

with st.expander("See the chunks of one document (where the splitter cut)"):
    sources = sorted({c.metadata["source"] for c in index.chunks})
    shown = st.selectbox("Document", sources, key="rag_doc")
    for chunk in (c for c in index.chunks if c.metadata["source"] == shown):
        with st.container(border=True):
            st.caption(f"chunk {chunk.metadata['chunk']} · {chunk.metadata['tokens']} tokens · "
                       f"starts at character {chunk.metadata['start_index']}")
            st.text(chunk.page_content)


# ---- 2. Ask: retrieve, map, prompt, answer (reruns alone when the question changes) ---------------
@st.fragment
def ask():
    st.header("Ask a question")
    question = st.text_input("Question", "How much does a DeepHaiku cost?", key="rag_question", max_chars=1000)
    c1, c2, c3, c4 = st.columns(4)
    k = c1.slider("Top-k", 1, 10, rag.DEFAULT_K, key="rag_k")
    mmr = c2.toggle("MMR (diverse results)", key="rag_mmr")
    method = c3.radio("Map", ["umap", "pca"], horizontal=True, key="rag_method", format_func=str.upper)
    dims = 3 if c4.toggle("3-D", key="rag_3d") else 2
    if not question.strip():
        st.info("Type a question to see what it retrieves.")
        return
    query = rag.embed_query(index, question)
    hits = rag.retrieve(index, question, k, mmr, query_vector=query)
    if (method, dims) not in corpus["maps"]:
        with st.spinner(f"Fitting {method.upper()} on {len(index.chunks)} chunks…"):
            corpus["maps"][(method, dims)] = runtime.run_queued(projection.fit, index.vectors, method, dims)
    proj = corpus["maps"][(method, dims)]
    star = proj.place(query)
    widgets.chart(charts.embedding_map(proj, index.chunks, star, hits), "rag_map")
    if proj.method != method:
        st.caption(f"Only {len(index.chunks)} chunks: too few for UMAP, so this map uses PCA.")

    table, distortion = st.columns([3, 2])
    table.dataframe(pd.DataFrame(rag.hit_rows(hits)), hide_index=True)
    with distortion.container(border=True):
        st.markdown("**2-D distortion:** true top-k vs nearest points on the map")
        true_chunks = [h.chunk.metadata["chunk"] for h in hits]
        near, overlap_share = projection.map_agreement(proj, star, true_chunks)
        st.dataframe(pd.DataFrame({"true (cosine)": true_chunks, "nearest on map": near}), hide_index=True)
        st.caption(f"{overlap_share:.0%} of the true top-{k} are also nearest on the map: "
                   "a flat picture can't keep every distance.")

    reader = st.toggle("Answer with the read-and-answer adapter", key="rag_reader",
                       help="A LoRA adapter on the lab's Gemma 3 270M, trained on invented documents to answer "
                            "from the passages in two lines, 'Answer: …' and 'Source: [n]'. It learned the form, "
                            "not facts: the Summary page measures both.")
    messages = rag.augmented_messages(question, hits)
    # The adapter runs on PyTorch (the LoRA server) and reads plain text, greedy as it is measured; otherwise the
    # sidebar's backend answers with the sidebar's settings.
    chosen = runtime.adapter_backend("form") if reader else runtime.shown_backend()
    prompt = chosen.render_prompt(messages)
    with st.expander(f"The exact prompt sent ({chosen.count_tokens(prompt):,} tokens)"):
        st.code(prompt, language=None, wrap_lines=True)
    if st.button("Answer with and without retrieval", type="primary", key="rag_answer"):
        options = ({"backend": chosen, "settings": GenerationSettings(max_new_tokens=form_fact.ANSWER_TOKENS)}
                   if reader else {})
        with_rag, without = st.columns(2)
        with with_rag:
            st.subheader("With retrieved passages")
            result = runtime.stream_answer(messages, source="with retrieved passages", **options)
            if result:
                st.caption(escape_markdown(rag.citation_note(result[0], hits)))  # sources are file names: user input
        with without:
            st.subheader("Without retrieval (memory only)")
            runtime.stream_answer(rag.plain_messages(question), source="without retrieval", **options)


ask()

# ---- 3. Measure ---------------------------------------------------------------------------------
st.header("Measure the gain")
qfile = st.file_uploader("Your own questions (.jsonl of {\"question\", \"answer\", \"source\"}) — "
                         "or leave empty for the sample questions", type=["jsonl"], key="rag_qfile")
try:
    questions = (rag.parse_questions(documents.decode_text(qfile.name, qfile.getvalue())) if qfile
                 else rag.load_questions(rag.SAMPLE_QUESTIONS))
except (ValueError, documents.DocumentError) as error:
    st.error(f"That question file can't be used: {escape_markdown(str(error))}")
    st.stop()
count = widgets.count_slider("How many questions", 1, len(questions), 12, "rag_eval_n")
eval_k = st.slider("k for the evaluation", 1, 10, rag.DEFAULT_K, key="rag_eval_k")
with_answers = st.toggle("Also generate answers with and without retrieval (slower)", True, key="rag_eval_gen")
made_now = st.button("Run the evaluation", key="rag_eval_run")
answering = runtime.sending_backend() if made_now and with_answers else None
if made_now:
    with st.spinner(f"Retrieving{' and answering' if with_answers else ''} {count} questions…"):
        st.session_state.rag_eval = runtime.run_in_turns(rag.evaluate, index, questions[:count], eval_k, answering,
                                                         runtime.generation_settings())
result = st.session_state.get("rag_eval")
if result:
    bars = [{"measure": f"retrieval hit-rate@{result['k']}", "score": result["hit_rate"]}]
    if "accuracy_rag" in result:
        bars += [{"measure": "answer has the fact — with RAG", "score": result["accuracy_rag"]},
                 {"measure": "answer has the fact — without", "score": result["accuracy_plain"]}]
    figure = charts.accuracy_bars(pd.DataFrame(bars), "measure", "score", title=f"{result['questions']} questions")
    widgets.chart(figure, "rag_eval_chart")
    if made_now:
        runtime.record("Evaluation — retrieval and answers", figure=figure, rows=result["rows"],
                       settings={"k": result["k"], "questions": result["questions"], "answers generated": with_answers,
                                 **({"model": answering.name, "engine": answering.engine} if answering else {}),
                                 "documents": len({c.metadata["source"] for c in index.chunks})},
                       measurements={bar["measure"]: bar["score"] for bar in bars})
    rows = pd.DataFrame(result["rows"])
    st.dataframe(rows, hide_index=True)
    downloads.csv_and_json(rows, result, "rag_eval", "rag_dl")

# ---- 4. Which prompt gets the fact into the answer ---------------------------------------------
ui_rag.prompt_styles()
ui_rag.whole_document()
ui_rag.reader()

guide.panel(__file__)
