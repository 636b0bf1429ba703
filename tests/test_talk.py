"""Talk mode: the steps file, each step's page and settings, and the step bar (AppTest; the keys are a browser test)."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from lib import prompting, replays, talk
from lib.textsafe import escape_markdown

STEPS = talk.load()
WIDGET_KINDS = ("selectbox", "slider", "select_slider", "text_input", "radio", "toggle", "number_input", "multiselect")


def test_the_talk_runs_through_the_talks_sequence_once():
    ids = [s.id for s in STEPS]
    assert len(set(ids)) == len(ids) == 10
    assert [s.page for s in STEPS][:2] == ["pages/overview.py", "pages/train.py"]
    assert STEPS[-1].page == "pages/summary.py" and all(s.point.endswith(".") for s in STEPS)
    assert talk.position(STEPS, "rag") == ids.index("rag") and talk.position(STEPS, "nope") is None
    assert talk.neighbours(STEPS, 0) == (None, STEPS[1]) and talk.neighbours(STEPS, 9) == (STEPS[8], None)


@pytest.mark.parametrize("data, message", [
    ({}, '"steps": is missing'), ({"steps": "x"}, '"steps": must be a list'), ({"steps": []}, "at least 1 item"),
    ({"steps": [{"id": "a", "page": "p", "title": "t"}]}, '"steps" item 1, "point": is missing'),
    ({"steps": [{"id": "a", "page": " ", "title": "t", "point": "x"}]}, '"steps" item 1, "page": needs text'),
    ({"steps": [{"id": "a", "page": "p", "title": "t", "point": "x", "settings": [1]}]},
     '"steps" item 1, "settings": must be an object'),
    ({"steps": [{"id": "a", "page": "p", "title": "t", "point": "x"}] * 2}, r"ids must differ: \['a'\] repeat"),
    ({"steps": [{"id": "a", "page": "p", "title": "t", "point": "x", "demo": {"button": 3}}]},
     '"steps" item 1, "demo": is {"button": KEY}'),
    ({"steps": [{"id": "a", "page": "p", "title": "t", "point": "x", "demo": {"chat": "k"}}]},
     '"steps" item 1, "demo": is'),
])
def test_a_bad_steps_file_gets_a_clear_message(data, message, tmp_path):
    path = tmp_path / "talk.json"
    path.write_text(json.dumps(data))
    with pytest.raises(talk.TalkError, match=message):
        talk.load(path)
    path.write_bytes(b"\xff\xfe{")
    with pytest.raises(talk.TalkError, match="can't be read"):
        talk.load(path)


@pytest.mark.parametrize("step", [s for s in STEPS if s.settings], ids=lambda s: s.id)
def test_a_step_opens_its_page_with_its_settings_under_the_step_bar(step, fast_model):
    at = AppTest.from_file("../app.py", default_timeout=300)
    at.query_params["talk"] = step.id
    at.run()
    assert not at.exception, at.exception
    at_index = talk.position(STEPS, step.id)
    assert f"**Step {at_index + 1} of {len(STEPS)}: {step.title}**" in [m.value for m in at.markdown]
    assert step.point in [i.value for i in at.info]
    widgets = {w.key: w for kind in WIDGET_KINDS for w in getattr(at, kind) if w.key}
    for key, value in step.settings.items():
        assert key in widgets, f"{step.page} has no widget {key}"
        assert widgets[key].value == value


def test_a_step_applies_its_settings_on_arrival_only():
    step = next(s for s in STEPS if s.id == "context-window")
    at = AppTest.from_file("../app.py", default_timeout=300)
    at.query_params["talk"] = step.id
    at.run()
    at.slider(key="conv_limit").set_value(1024).run()  # the presenter moves a knob: the step does not undo it
    assert at.slider(key="conv_limit").value == 1024 and not at.exception


def test_every_demo_has_a_recording_and_talk_mode_plays_it():
    recorded = replays.load()
    assert sorted(recorded) == sorted(s.id for s in STEPS if s.demo)  # `make results` records them all
    step = next(s for s in STEPS if s.id == "context-window")
    streams = recorded[step.id]["streams"]
    at = AppTest.from_file("../app.py", default_timeout=300)
    at.query_params["talk"] = step.id
    at.run()
    assert not at.exception, at.exception
    live = escape_markdown(recorded[step.id]["live"])  # how to run it live: type the recorded message
    assert any("Replay of a recorded run" in m.value and live in m.value for m in at.markdown)
    assert step.demo["text"] in recorded[step.id]["live"]
    shown = [m.value for m in at.markdown]
    assert all(escape_markdown(replays.text_of(s)) in shown for s in streams)
    assert at.session_state["talk_replayed"] == step.id  # played once: a rerun of the step shows it as it ended


def test_a_replay_plays_each_piece_when_it_came():
    now, slept = [100.0], []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    pieces = list(replays.playback([[0.5, "Hel"], [0.5, "lo"], [1.25, "!"]], started=100.0, clock=lambda: now[0],
                                   sleep=sleep))
    assert pieces == ["Hel", "lo", "!"] and slept == [0.5, 0.75]  # no wait for a piece that came at once


def test_a_task_replay_is_graded_with_its_question_expected_answer_and_marks():
    from lib import tasks

    steps = {s.id: s for s in talk.load()}
    recorded = replays.load()["few-shot"]
    grades = replays.graded(steps["few-shot"], recorded)
    task = tasks.builtin(steps["few-shot"].settings["fs_task"])
    assert (grades["question"], grades["expected"]) == (task.test[0].input, task.test[0].output)
    assert len(grades["marks"]) == len(recorded["streams"])
    for (read, score), stream in zip(grades["marks"], recorded["streams"]):
        assert (read, score) == prompting.score(task, replays.text_of(stream), task.test[0].output)
    assert replays.graded(steps["sft"], replays.load()["sft"]) is None  # no task, nothing to grade
