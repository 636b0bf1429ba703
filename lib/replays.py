"""Recorded runs of the talk's live demos, played back at the speed they were recorded.

On stage a 2-core laptop should not keep a room waiting. Each talk step with a demo (data/talk.json: the button
it presses, or the message it types) is recorded by running the step's real page with the real models, in
Streamlit's AppTest: the step's settings are applied, the demo is pressed, and `runtime.stream_answer` notes
every streamed piece with the moment it came. Talk mode plays the recording when the step opens, labelled as a
replay; the page's own button runs it live.

    >>> recorded = load()["sft"]                              # None until made
    >>> recorded["streams"][0]["title"], text_of(recorded["streams"][0])
    >>> for piece in playback(recorded["streams"][0]["chunks"], started=time.perf_counter()): ...

CLI: `python -m lib.cli.replays [--steps ID ...] --save data/results/talk/replays.json` (`make results` runs it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from lib import experiments, talk
from lib.models import REPO_ROOT

NAME = "talk/replays"
RECORDING_KEY = "replay_recording"  # session key: a list while a demo is recorded (runtime.stream_answer appends)


def load() -> dict[str, dict]:
    """{step id: its recording} from the stored result; empty when none was made."""
    stored = experiments.get(NAME).load()
    return (stored or {}).get("replays", {})


def text_of(stream: dict) -> str:
    return "".join(piece for _, piece in stream["chunks"])


# A talk step that asks a task's held-out question: the widget keys naming the task and the question.
TASK_KEYS = {"fs_task": "fs_item", "cot_task": "cot_item"}


def graded(step: talk.Step, recorded: dict) -> dict | None:
    """The question a task step's replay asked, its expected answer, and per stream what was read from the
    recorded answer and whether it is right (the page's own scorer); None for a step that asks no task."""
    from lib import prompting, tasks

    task_key = next((k for k in TASK_KEYS if k in step.settings), None)
    if task_key is None:
        return None
    task = tasks.builtin(step.settings[task_key])
    item = task.test[int(step.settings.get(TASK_KEYS[task_key], 0))]
    marks = [prompting.score(task, text_of(stream), item.output) for stream in recorded["streams"]]
    return {"question": item.input, "expected": item.output, "marks": marks}


def playback(chunks: list, started: float, clock=time.perf_counter, sleep=time.sleep) -> Iterator[str]:
    """The pieces of one stream, each when it came in the recording (`started`: when the demo began)."""
    for at, piece in chunks:
        wait = started + at - clock()
        if wait > 0:
            sleep(wait)
        yield piece


def record(step: talk.Step) -> dict:
    """Open the step's page as a presenter would, apply its settings, press its demo, and keep the streams."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=900)
    at.run()
    at.switch_page(step.page).run()
    for key, value in step.settings.items():
        at.session_state[key] = value
    at.run()
    at.session_state[RECORDING_KEY] = []
    started = time.perf_counter()
    at.session_state["replay_started"] = started
    if "button" in step.demo:
        at.button(key=step.demo["button"]).click().run()
        how = f"press “{next(b.label for b in at.button if b.key == step.demo['button'])}” below"
    else:
        at.chat_input(key=step.demo["chat"]).set_value(step.demo["text"]).run()
        how = f"send “{step.demo['text']}” in the chat box below"
    if at.exception:
        raise RuntimeError(f"step {step.id}: the page failed: {at.exception[0].value}")
    streams = list(at.session_state[RECORDING_KEY])
    if not streams:
        raise RuntimeError(f"step {step.id}: pressing its demo streamed nothing")
    return {"live": how, "seconds": round(time.perf_counter() - started, 2), "streams": streams,
            "recorded_at": time.strftime("%Y-%m-%d %H:%M")}
