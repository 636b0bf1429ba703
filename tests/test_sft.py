"""SFT as one model before and after (lib.sft): the rubric, the data, and the SFT page's section on it."""

import pytest
from apptest import open_page, watch

from lib import experiments, lora, sft


def request(form="sentences", about=("Hamilton",), text="Write an essay about Alexander Hamilton."):
    return sft.Request(input=text, form=form, about=about)


@pytest.mark.parametrize("answer, form, ok", [
    ("Paris.", "short", True),
    ("The capital of France is the city of Paris, which is", "short", False),
    ("The sea was grey and calm under the morning sky.", "sentence", True),
    ("The sea was grey. It was calm.", "sentence", False),
    ("Hamilton was born in the Caribbean. He wrote most of the Federalist Papers.", "sentences", True),
    ("Hamilton was born in the Caribbean.", "sentences", False),
    ("- Read the recipe.\n- Taste as you go.\n- Keep knives sharp.", "list:3", True),
    ("1. Read the recipe.\n2) Taste as you go.\n3. Keep knives sharp.", "list:3", True),
    ("- Read the recipe.\n- Taste as you go.", "list:3", False),
    ("Here are three tips:\n- Read.\n- Taste.\n- Clean.", "list:3", False),  # a line that is not an item
    ("", "short", False),
])
def test_the_form_is_the_shape_the_request_asks_for(answer, form, ok):
    assert sft.right_form(answer, form) is ok


def test_an_answer_stops_when_it_ends_before_the_budget_writes_no_new_turn_and_does_not_echo():
    asked = "Write an essay about Alexander Hamilton."
    assert sft.stops("Hamilton was a founder of the United States.", asked, 12, 96)
    assert not sft.stops("Hamilton was a founder of the United States and", asked, 96, 96)  # ran to the budget
    assert not sft.stops("Hamilton was a founder.\nInput: Write an essay about Jefferson.", asked, 20, 96)
    assert not sft.stops("write an essay about Alexander Hamilton. Write an essay about", asked, 20, 96)


def test_judge_passes_an_answer_only_when_all_three_hold():
    good = sft.judge("Hamilton was the first Treasury Secretary. He founded a national bank.", request(), 20, 96)
    assert good == {"on topic": True, "right form": True, "stops": True, "score": 1.0}
    off = sft.judge("Jefferson wrote the Declaration. He was the third president.", request(), 20, 96)
    assert off["on topic"] is False and off["score"] == 0.0
    assert sft.on_topic("Cooking is fun", ("cook",)) and not sft.on_topic("My notebook", ("book",))  # a word's start


def test_the_requests_file_and_its_faults_are_said_by_line():
    requests = sft.load_requests()
    assert len(requests) == 20 and all(r.about for r in requests)
    assert {r.form for r in requests} >= {"short", "sentence", "sentences", "list:3"}
    # The page's five requests are held out: none of them, nor any other held-out request, is a training input.
    trained = {p["input"].lower() for p in lora.load_pairs(sft.TRAIN_FILE)}
    assert not any(r.input.lower() in trained for r in requests)
    assert "Write an essay about Alexander Hamilton." in {r.input for r in requests}
    with pytest.raises(ValueError, match='line 1.*"form" is one of short'):
        sft.load_requests_from('{"input": "Say hi.", "form": "poem", "about": ["hi"]}\n')
    with pytest.raises(ValueError, match='line 2.*"about"'):
        sft.load_requests_from('{"input": "Say hi.", "form": "short", "about": ["hi"]}\n'
                               '{"input": "Say hi.", "form": "short", "about": []}\n')


def test_the_stored_run_shows_the_failure_before_and_the_fix_after():
    stored = experiments.load("sft")
    before, after = ({s["model"]: s for s in stored["summary"]}[m] for m in (sft.BEFORE, sft.AFTER))
    assert stored["items"] == 20 and before["items"] == after["items"] == 20
    assert after["all three"] > before["all three"] and stored["comparison"]["verdict"] == "rises"
    hamilton = {r["model"]: r for r in stored["rows"] if r["input"] == "Write an essay about Alexander Hamilton."}
    assert hamilton[sft.BEFORE]["score"] == 0.0 and hamilton[sft.AFTER]["score"] == 1.0


def test_the_page_shows_the_stored_run_asks_both_and_trains_a_short_run_of_your_own(base_model):
    at = open_page("pages/sft_rlhf.py")
    stored = experiments.load("sft")
    assert "sft_chart" in [c.key for c in at.get("plotly_chart")]
    assert any(stored["comparison"]["said"] in m.value for m in at.markdown)
    hamilton = {r["model"]: r for r in stored["rows"] if r["input"] == at.selectbox(key="sft_heldout").value}
    assert [t.value for t in at.text][:2] == [hamilton[sft.BEFORE]["output"], hamilton[sft.AFTER]["output"]]
    at.button(key="sft_ask").click().run()
    assert not at.exception
    # A short run of your own: the fewest steps the page offers, then your adapter answers a held-out request.
    at.slider(key="sf_steps").set_value(4)
    at.button(key="sf_start").click().run()
    job = at.session_state["sf_job"]
    watch(job, 600)
    at.run()
    assert job.state == "done" and not at.exception and job.config.base_model == sft.BASE_MODEL
    at.button(key="sft_mine_ask").click().run()
    assert not at.exception and at.session_state["sft_mine"].startswith("user-")
