"""Form vs fact: the form check, the four prompts, the generated training data, and the bundled form adapter."""

import json

import pytest

from lib import experiments, form_fact, lora, rag


@pytest.mark.parametrize("output, form", [
    ("Answer: 89 euros\nSource: [1]", True),
    ("Answer: I don't know\nSource: none", True),
    ("  Answer: 89 euros\nSource: [2]  ", True),
    ("The DeepHaiku costs 89 euros [1].", False),
    ("Answer: 89 euros", False),
    ("Answer: 89 euros\nSource: [1]\nAnything else?", False),
    ("Answer: " + "word " * 20 + "\nSource: [1]", False),  # not short
])
def test_form_check(output, form):
    assert form_fact.score(output, "89 euros")["form"] is form


def test_fact_check_is_the_rag_pages():
    assert form_fact.score("It costs 89 Euros.", "89 euros")["fact"]
    assert not form_fact.score("Answer: 98 euros\nSource: [1]", "89 euros")["fact"]


def test_four_ways_differ_only_in_passages_and_adapter():
    chunk = rag.Document("The DeepHaiku costs 89 euros.", metadata={"source": "deephaiku.md"})
    hits = [rag.Hit(1, chunk, 0.9)]
    prompts = {w.name: form_fact.messages_for(w, "How much is it?", hits) for w in form_fact.WAYS}
    assert prompts["Base"] == prompts["Form adapter"]
    assert prompts["Base + RAG"] == prompts["Form adapter + RAG"]
    assert "89 euros" in prompts["Base + RAG"][1]["content"] and "89 euros" not in prompts["Base"][1]["content"]
    assert all(p[0]["content"] == rag.SYSTEM_PROMPT for p in prompts.values())
    assert [w.adapter for w in form_fact.WAYS] == [None, None, "form", "form"]


def test_training_data_is_in_the_form_and_copies_from_its_passage():
    pairs = lora.load_pairs(form_fact.TRAIN_FILE)
    assert len(pairs) >= 500
    assert all(form_fact.score(p["target"], "")["form"] for p in pairs)
    for pair in pairs[:200]:
        answer = pair["target"].splitlines()[0].removeprefix("Answer: ")
        if answer != "I don't know":
            assert answer in pair["input"]  # the fact is always in a passage: only the form is learned
    # Neither evaluation set leaks into the training data: not their facts, not their documents' names.
    text = form_fact.TRAIN_FILE.read_text()
    for folder in rag.DOC_SETS.values():
        facts = [q["answer"] for q in rag.load_questions(folder / "questions.jsonl")]
        assert not [f for f in facts if len(f) > 6 and f"Answer: {f}\n" in text]
        names = {path.stem.split("_")[0] for path in folder.glob("*.md")}
        assert len(names) >= 4 and not [n for n in names if n.lower() in text.lower()]


def test_the_two_by_two_is_read_out_from_the_numbers_and_judged_by_the_rule():
    def result(facts: dict[str, list[int]]):
        rows = [{"way": way, "question": f"q{i}", "fact": bool(f), "form": way.startswith("Form")}
                for way, values in facts.items() for i, f in enumerate(values)]
        summary = [{"way": w, "fact": sum(v) / len(v), "form": float(w.startswith("Form"))} for w, v in facts.items()]
        return {"summary": summary, "rows": rows}

    clear = result({"Base": [0] * 20, "Base + RAG": [1] * 4 + [0] * 16, "Form adapter": [0] * 20,
                    "Form adapter + RAG": [1] * 18 + [0] * 2})
    text = form_fact.said(clear)
    assert "(0% → 20% with the base model)" in text and "form** in 100% of its answers, the base model in 0%" in text
    assert "never asked for that form" in text and "the stored runs do not separate them" in text
    assert text.count("scores measurably higher") == 2
    close = result({"Base": [0] * 20, "Base + RAG": [1] * 9 + [0] * 11, "Form adapter": [0] * 20,
                    "Form adapter + RAG": [1] * 10 + [0] * 10})
    text = form_fact.said(close)  # one question apart: the adapter's side is no measurable gain over the chat model
    assert "Form adapter + RAG 50% vs Base + RAG 45% on 20 items" in text and "includes zero" in text


def test_bundled_form_adapter_and_its_results_ship():
    assert (form_fact.ADAPTER / "adapter_model.safetensors").is_file()
    settings = json.loads((form_fact.ADAPTER / "lab_settings.json").read_text())
    assert settings["instruction"] == rag.SYSTEM_PROMPT
    result = experiments.load("form_fact")
    by_way = {row["way"]: row for row in result["summary"]}
    # The talk's claim, measured on the bundled model: the adapter brings the form, retrieval brings the fact.
    assert by_way["Form adapter"]["form"] > by_way["Base"]["form"] + 0.5
    assert by_way["Base + RAG"]["fact"] > by_way["Base"]["fact"]
    assert by_way["Form adapter + RAG"]["form"] > 0.5 and by_way["Form adapter + RAG"]["fact"] > by_way["Base"]["fact"]
