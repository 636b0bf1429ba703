"""AppTest: the router and every page render without an exception; the playground answers and refuses bad input."""

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from apptest import chat_prompt, recorded

from lib import guide, runtime, talk

# Every page the router lists, read from app.py itself, so a new page cannot be left out.
PAGES = re.findall(r'page_of\("(pages/[^"]+\.py)"', (Path(__file__).parent.parent / "app.py").read_text())


def test_the_router_lists_every_page_file():
    on_disk = {f"pages/{p.name}" for p in (Path(__file__).parent.parent / "pages").glob("*.py")}
    assert set(PAGES) == on_disk and len(PAGES) == len(set(PAGES))


@pytest.fixture
def app(fast_model):  # fast_model: the conversion and the engine's build happen before the first page asks
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    assert not at.exception
    return at


WIDGET_KINDS = ("selectbox", "slider", "select_slider", "text_input", "radio", "toggle", "number_input", "multiselect")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_and_its_guided_tries_set_its_widgets(app, page):
    app.switch_page(page).run()
    assert not app.exception
    assert app.title, f"{page} has no title"
    for step in (s for s in talk.load() if s.page == page and s.demo):  # what lib.replays presses to record it
        shown = [b.key for b in app.button] if "button" in step.demo else [c.key for c in app.chat_input]
        assert step.demo.get("button", step.demo.get("chat")) in shown, f"talk step {step.id}: no demo widget"
    slug = Path(page).stem
    for n, attempt in enumerate(guide.load().get(page, guide.PageGuide(tries=(), quiz=())).tries):
        if not attempt.settings:
            continue
        app.button(key=f"guide_{slug}_try_{n}").click().run()
        assert not app.exception, f"{page}, try {n}"
        widgets = {w.key: w for kind in WIDGET_KINDS for w in getattr(app, kind) if w.key}
        for key, value in attempt.settings.items():
            assert key in widgets, f"{page}, try {n}: no widget {key} on the page"
            assert widgets[key].value == value, f"{page}, try {n}: {key}"


def test_every_lab_page_has_a_guide_and_the_quiz_answers_with_its_explanation(app):
    guides = guide.load()
    assert set(guides) == set(PAGES) - {"pages/overview.py"}
    assert all(2 <= len(g.tries) <= 4 and 3 <= len(g.quiz) <= 4 for g in guides.values())
    app.switch_page("pages/conversation.py").run()
    quiz = guides["pages/conversation.py"].quiz
    app.radio(key="guide_conversation_quiz_0").set_value(quiz[0].answer).run()
    app.radio(key="guide_conversation_quiz_1").set_value((quiz[1].answer + 1) % len(quiz[1].options)).run()
    assert [s.value for s in app.success] == [f"Right: {quiz[0].explain}"]
    assert [e.value for e in app.error] == [f"Not quite: {quiz[1].explain}"]
    assert app.session_state["guide_answered"] == {("pages/conversation.py", 0): True, ("pages/conversation.py", 1): False}


def test_overview_shows_the_three_options_and_model_status(app):
    headers = [h.value for h in app.subheader]
    assert any("Train" in h for h in headers) and any("Tune" in h for h in headers) and any("Prompt" in h for h in headers)
    assert any("134,515,008" in m.value for m in app.markdown)
    # the engines compared, as measured by the benchmark, with the command that measured them
    table = app.dataframe[0].value
    assert "weights read per token (MB)" in table.columns and len(table) >= 3
    assert any("bench/run.py" in c.value for c in app.caption)


def test_playground_streams_an_answer_with_speed_through_the_fast_engine(app, chat_model):
    assert any("onnxruntime (batched)" in m.value for m in app.markdown)  # the status names the engine in use
    app.chat_input(key="playground_input").set_value("What is 17 times 3?").run()
    assert not app.exception
    assert any("51" in m.value for m in app.markdown)
    assert any("tokens/s" in c.value for c in app.caption)
    entry = recorded(app)[-1]  # the notebook holds the prompt the fast engine read: SmolLM2's chat template
    assert entry.prompts == [chat_prompt(chat_model.tokenizer, [{"role": "user", "content": "What is 17 times 3?"}])]
    assert entry.settings["engine"].startswith("fast") and "51" in entry.outputs[0]


def test_the_reference_engine_still_answers_when_chosen():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["engine"] = "reference"
    at.run()
    assert at.radio(key="engine").value == "reference"
    assert any("float32, PyTorch" in m.value for m in at.markdown)
    at.chat_input(key="playground_input").set_value("What is the capital of France?").run()
    assert not at.exception
    assert any("Paris" in m.value for m in at.markdown)


def test_playground_bad_input_gets_a_clear_message_and_an_over_long_one_never_gets_typed(app):
    # The browser stops typing and pasting at the limit, so a page of text is never echoed back first.
    assert app.chat_input(key="playground_input").proto.max_chars == runtime.MAX_MESSAGE_CHARS
    app.chat_input(key="playground_input").set_value("   ").run()
    assert not app.exception
    assert any("empty" in w.value for w in app.warning)


def test_sidebar_settings_come_back_from_a_bookmarked_url():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["temperature"] = "0.7"
    at.query_params["presenter"] = "1"
    at.query_params["max_new_tokens"] = "nonsense"
    at.run()
    assert not at.exception
    assert at.slider(key="temperature").value == 0.7
    assert at.toggle(key="presenter").value is True
    assert at.slider(key="max_new_tokens").value == 128  # malformed → default, not a crash


def test_remote_backend_settings_appear_for_a_server():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["backend"] = "openai"
    at.run()
    assert at.text_input(key="server_url").value.startswith("http")
    assert at.text_input(key="server_api_key").value == ""
    assert not at.exception
