"""Uploads: good files load, bad ones get a clear message, and the rest keep working."""

import pytest

from lib import documents
from pdfs import broken_pdf, encrypted_pdf, text_pdf


def test_text_markdown_and_pdf_load_with_their_source():
    docs, problems = documents.load_uploads([
        ("a.txt", "Plain text about Zorblat.".encode()),
        ("b.md", "# Heading\nMarkdown with ünïcödé".encode()),
        ("c.pdf", text_pdf("The Zorblat museum opens at nine.")),
    ])
    assert problems == []
    assert [d.metadata["source"] for d in docs] == ["a.txt", "b.md", "c.pdf"]
    assert "ünïcödé" in docs[1].page_content
    assert "Zorblat museum opens at nine" in docs[2].page_content


@pytest.mark.parametrize("name, data, message", [
    ("empty.txt", b"", "empty"),
    ("blank.md", b"   \n\t ", "only whitespace"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("latin1.txt", "café crème".encode("latin-1"), "not UTF-8"),
    ("huge.txt", b"a" * (documents.MAX_FILE_BYTES + 1), "limit is 5 MB"),
    ("broken.pdf", broken_pdf(), "not a readable PDF"),
    ("locked.pdf", encrypted_pdf(), "encrypted"),
    ("sheet.xlsx", b"PK\x03\x04", "unsupported file type"),
])
def test_bad_files_get_a_clear_message_and_the_rest_still_load(name, data, message):
    docs, problems = documents.load_uploads([(name, data), ("good.txt", b"Still here.")])
    assert len(problems) == 1 and message in problems[0] and name in problems[0]
    assert [d.metadata["source"] for d in docs] == ["good.txt"]


def test_total_size_cap_skips_what_does_not_fit():
    big = b"x " * (documents.MAX_TOTAL_CHARS // 2 - 10)
    docs, problems = documents.load_uploads([("one.txt", big), ("two.txt", big)])
    assert len(docs) == 1 and "skipped" in problems[0]


def test_sample_folder_loads_all_eight_documents():
    from lib.rag import SAMPLE_DOCS

    docs = documents.load_folder(SAMPLE_DOCS)
    assert len(docs) >= 8


def test_a_name_with_folders_and_markup_keeps_only_its_file_name_and_charts_show_it_as_text():
    from lib.projection import legend_label

    doc = documents.load_file("../../<b>bold" + "x" * 80 + ".txt", b"hello")
    assert doc.metadata["source"].startswith("<b>bold") and "/" not in doc.metadata["source"]
    label = legend_label(doc.metadata["source"])
    assert "<b>" not in label and "&lt;b&gt;" in label
    assert len(label) < 60 and label.endswith("…")
