"""AppTest of the RAG page: build, ask, upload (good and bad), evaluate, and per-session isolation."""

import pytest
from apptest import open_page, recorded

from lib import experiments, rag


def rag_page():
    return open_page("pages/rag.py")


@pytest.fixture(scope="module")
def warm(fast_model):
    return fast_model


def test_page_builds_the_index_and_maps_the_question(warm):
    at = rag_page()
    assert [c.key for c in at.get("plotly_chart")] == ["rag_map", "rag_styles_chart", "rag_whole_chart", "rag_reader_chart"]
    table = next(d.value for d in at.dataframe if "rank" in d.value.columns)  # (the charts' tables come first)
    assert list(table["rank"]) == list(range(1, rag.DEFAULT_K + 1)) and table["source"].iloc[0] == "deephaiku.md"


def test_upload_joins_the_corpus_and_bad_files_are_reported(warm):
    at = rag_page()
    at.file_uploader(key="rag_uploads").set_value([
        ("zorblat.md", b"# Zorblat\nThe Zorblat museum is painted teal and opens at nine.", "text/markdown"),
        ("bad.txt", "caf\xe9".encode("latin-1"), "text/plain"),
    ]).run()
    assert not at.exception
    shown = [e.value.replace("\\", "") for e in at.error]  # the page escapes markdown in file names
    assert any("bad.txt" in e and "UTF-8" in e for e in shown)
    at.text_input(key="rag_question").set_value("What colour is the Zorblat museum painted?").run()
    assert at.dataframe[0].value["source"].iloc[0] == "zorblat.md"


def test_no_documents_says_so(warm):
    at = rag_page()
    at.toggle(key="rag_samples").set_value(False).run()
    assert not at.exception
    assert any("no documents" in i.value for i in at.info)


def test_answer_with_and_without_retrieval(warm):
    at = rag_page()
    at.text_input(key="rag_question").set_value("How much does a DeepHaiku cost?").run()
    at.button(key="rag_answer").click().run()
    assert not at.exception
    assert any("With retrieved passages" in s.value for s in at.subheader)
    assert any("Cites:" in c.value.replace("\\", "") for c in at.caption)
    with_rag, without = recorded(at)[-2:]  # each with the chat template the sidebar's model read
    assert with_rag.prompts[0].rstrip("\n") == at.code[0].value and "DeepHaiku" in with_rag.prompts[0]
    assert without.prompts[0].startswith("<|im_start|>system") and "[1] (from" not in without.prompts[0]


def test_the_reader_adapter_answers_from_its_plain_text_prompt_and_the_notebook_has_it(base_model):
    at = rag_page()
    at.text_input(key="rag_question").set_value("How much does a DeepHaiku cost?").run()
    at.toggle(key="rag_reader").set_value(True).run()
    shown = at.code[0].value
    assert shown.startswith(base_model.tokenizer.bos_token) and shown.endswith("\nOutput:")
    at.button(key="rag_answer").click().run()
    assert not at.exception
    with_rag, without = recorded(at)[-2:]
    assert with_rag.prompts == [shown] and "LoRA 'form'" in with_rag.settings["model"]
    assert without.prompts[0].startswith(base_model.tokenizer.bos_token) and "[1] (from" not in without.prompts[0]
    assert with_rag.outputs[0].strip().startswith("Answer:")  # the two-line form it was trained on


def test_small_retrieval_evaluation_shows_chart_and_table(warm):
    at = rag_page()
    at.toggle(key="rag_eval_gen").set_value(False)
    at.slider(key="rag_eval_n").set_value(10)
    at.slider(key="rag_eval_k").set_value(4)
    at.button(key="rag_eval_run").click().run()
    assert not at.exception
    assert "rag_eval_chart" in [c.key for c in at.get("plotly_chart")]
    rows = next(d.value for d in at.dataframe if "hit" in d.value.columns)
    assert len(rows) == 10 and rows["hit"].mean() >= 0.9


def test_bad_question_file_gets_a_message(warm):
    at = rag_page()
    at.file_uploader(key="rag_qfile").set_value(("q.jsonl", b'{"question": "x"}\n', "application/jsonl")).run()
    assert not at.exception
    assert any("question file" in e.value for e in at.error)


def test_two_sessions_never_see_each_others_uploads(warm):
    alice, bob = rag_page(), rag_page()
    alice.file_uploader(key="rag_uploads").set_value(
        ("alice_secret.md", b"Alice's locker code is 4417 and her cat is named Biscuit.", "text/markdown")).run()
    bob.file_uploader(key="rag_uploads").set_value(
        ("bob_notes.md", b"Bob grows tomatoes on his balcony in Lisbon every summer.", "text/markdown")).run()
    for at, mine, theirs in ((alice, "alice_secret.md", "bob_notes.md"), (bob, "bob_notes.md", "alice_secret.md")):
        at.text_input(key="rag_question").set_value("What is the locker code and who grows tomatoes?").run()
        sources = set(at.dataframe[0].value["source"])
        assert mine in sources and theirs not in sources
        assert theirs not in at.session_state["rag"]["key"]


def test_the_prompt_styles_section_shows_both_question_sets(warm):
    at = open_page("pages/rag.py")
    assert [c for c in at.get("plotly_chart") if c.key == "rag_styles_chart"]
    assert any("held-out documents, which chose nothing" in m.value for m in at.markdown)
    assert at.slider(key="rag_k").value == rag.DEFAULT_K
    # Retrieve, or paste it all in: every way's bar, each comparison in the rule's words, the cost in tokens.
    stored = experiments.load("rag/whole-document")
    assert [c for c in at.get("plotly_chart") if c.key == "rag_whole_chart"]
    assert all(any(said in m.value for m in at.markdown) for said in stored["comparisons"])
    everything = stored["summary"][-1]
    assert any(f"{everything['prompt_tokens']:,.0f} prompt tokens" in m.value for m in at.markdown)
