"""Browser tests: the real app served by `streamlit run`, driven in Debian's Chromium through Playwright."""

import html
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from browser import (CHROMIUM, CHROMIUM_ARGS, ask_together, open_playgrounds, serious_accessibility_problems,
                     streamlit_server, wait_for_app_idle)

# One worker runs them all (`make test` runs two): they share one app server. Two groups with a server each were
# tried: fresh-clone runs took 11:28 and 14:37 (both servers loading and warming up at once), one group 11:59.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PAGE_TITLES = {
    "": "interactive lab", "few_shot": "Few-shot", "chain_of_thought": "Chain-of-thought",
    "conversation": "Conversation", "rag": "Retrieval-augmented", "sft_rlhf": "SFT", "lora": "base model vs adapter",
    "lora_explained": "how it works", "lora_train": "train your own", "train": "from scratch", "summary": "form",
    "scoreboard": "Scoreboard",
}
# The pages that render a prompt with the sidebar's backend as they open (the X-ray, the window, the RAG prompt).
ASK_THE_BACKEND = ("", "few_shot", "chain_of_thought", "conversation", "rag")
# The sidebar's link text of each page (app.py's titles).
APP_TITLES = {
    "": "Overview", "few_shot": "Few-shot", "chain_of_thought": "Chain-of-thought", "conversation": "Conversation",
    "rag": "RAG", "sft_rlhf": "SFT & RLHF", "lora": "LoRA: side by side", "lora_explained": "LoRA: how it works",
    "lora_train": "LoRA: train your own", "train": "Train from scratch", "summary": "Form vs fact",
    "scoreboard": "Scoreboard",
}


@pytest.fixture(scope="module")
def server(fast_model):  # fast_model: the weights are converted and the engine built before the server needs them
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def test_home_page_answers_a_question_through_the_fast_engine(server, page):
    page.goto(server)
    wait_for_app_idle(page)
    assert page.get_by_text("Customizing LLMs — an interactive lab").is_visible()
    assert page.get_by_text("onnxruntime (batched)").first.is_visible()  # the sidebar and status name the engine
    page.get_by_test_id("stChatInputTextArea").fill("What is 17 times 3?")
    page.keyboard.press("Enter")
    page.get_by_text("first token after").wait_for(timeout=120_000)  # the answer's speed line
    assistant = page.get_by_test_id("stChatMessage").nth(1)
    assert "51" in assistant.inner_text()


def test_four_sessions_at_once_get_their_own_answers_and_a_closed_tab_frees_its_turn(server, browser, fast_model):
    from lib import backends
    from lib.generation import GenerationSettings

    questions = ["What is 17 times 3?", "Name one primary colour.", "What do bees make?",
                 "Tell me a long story about a dragon who learns to bake bread."]
    # The fourth asks for a 1024-token story (~12 s alone) and leaves as soon as it starts streaming.
    pages = open_playgrounds(browser, server, 3, "?max_new_tokens=48") + open_playgrounds(browser, server, 1, "?max_new_tokens=1024")
    try:
        results = ask_together(pages, questions, timeout_s=300, leave=3)
        solo = ["".join(backends.FastBackend(fast_model).stream([{"role": "user", "content": q}],
                                                GenerationSettings(max_new_tokens=48))) for q in questions[:3]]
        for result, expected in zip(results[:3], solo):
            assert not result["failed"], result
            assert result["answer"].split() == expected.split()  # the same greedy answer as alone
        assert results[3].get("left")
        # The closed tab's request leaves at its next token: nobody is being answered well before its story
        # could have been told.
        status = pages[0]
        for _ in range(5):
            status.reload()
            wait_for_app_idle(status)
            if status.get_by_text("Sessions being answered right now: 0").count():
                break
        assert status.get_by_text("Sessions being answered right now: 0").count()
    finally:
        for page in pages:
            page.context.close()


def test_settings_survive_in_the_url(server, page):
    page.goto(f"{server}/?temperature=0.7&presenter=1")
    wait_for_app_idle(page)
    assert "temperature=0.7" in page.url and "presenter=1" in page.url
    sliders = page.get_by_test_id("stSidebar").get_by_role("slider")
    assert sliders.nth(1).get_attribute("value") == "0.7"
    sliders.nth(0).focus()
    page.keyboard.press("ArrowRight")  # max new tokens 128 → 129
    page.wait_for_url("**max_new_tokens=129**", timeout=30_000)



def _visible_page(page, slug: str | None, wanted: str) -> None:
    """Wait until the app shows page `slug` (None: any) with `wanted` in its URL (the settings it mirrors
    there), idle."""
    from urllib.parse import urlparse

    page.wait_for_url(lambda url: slug in (None, urlparse(url).path.strip("/")) and wanted in url, timeout=60_000)
    wait_for_app_idle(page)


def test_switching_backends_in_the_sidebar_then_using_every_page(server, page):
    """Choose each other backend in the sidebar, edit its fields, toggle presenter mode and visit every page by
    the sidebar's links (one session throughout): no page fails, and a hidden field keeps its value. Once, the
    first action after a switch replaced every page with `KeyError: ... no key "engine"`.

    The visit of every page in presenter mode (the projector's large type: the layout most likely to break) also
    checks what only a browser shows of each page: it opens at its title, no page name or button label is cut
    short, axe-core finds nothing serious, and nothing is fetched from anywhere but the app's own host."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server)
    wait_for_app_idle(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("reference: float32, PyTorch").click()
    _visible_page(page, "", "engine=reference")
    # (label, what the URL then holds, {field: (value, what the URL then holds)})
    choices = [("Hugging Face model id", "backend=hf", {"Model id": "someone/their-model"}),
               ("OpenAI-compatible server", "backend=openai", {"Server URL": "http://127.0.0.1:9/v1",
                                                               "Model name": "their-model"})]
    for presenter, (label, wanted, fields) in zip(("presenter=1", "presenter"), choices):
        sidebar.get_by_text(label).click()
        _visible_page(page, None, wanted)
        for field, value in fields.items():
            box = sidebar.get_by_label(field, exact=True).and_(page.get_by_test_id("stTextInputField"))
            box.fill(value)
            box.press("Enter")
            _visible_page(page, None, urlencode({"x": value})[2:])  # the settings are mirrored into the URL
            assert page.get_by_test_id("stException").count() == 0, (label, field)
        sidebar.get_by_text("Presenter mode (larger type)").click()
        page.wait_for_url(lambda url: (presenter in url) == (presenter == "presenter=1"), timeout=60_000)
        wait_for_app_idle(page)
        # Every page with the first backend; with the second, the pages that draw a prompt with the sidebar's
        # backend (the others never ask it), which keeps this test's minute of page visits from doubling.
        visits = PAGE_TITLES if presenter == "presenter=1" else {s: PAGE_TITLES[s] for s in ASK_THE_BACKEND}
        for slug, title in visits.items():
            page.locator(".st-key-lab_navigation").get_by_role("link").filter(
                has_text=APP_TITLES[slug]).first.click()
            _visible_page(page, slug, wanted)
            assert title.lower() in page.locator("h1").first.inner_text().lower()
            errors = page.get_by_test_id("stException")
            assert errors.count() == 0, (label, slug, errors.first.inner_text()[:1500])
            if presenter == "presenter=1":
                _looks_right_on_a_projector(page, slug)
    # Offline for real: nothing but the app's own host (no fonts, icons or scripts from elsewhere).
    assert requested and [u for u in requested if not u.startswith((server, "data:", "blob:"))] == []
    sidebar.get_by_text("Bundled SmolLM2 (offline)").click()
    page.wait_for_url(lambda url: "backend=" not in url, timeout=60_000)
    wait_for_app_idle(page)
    assert sidebar.get_by_role("radio", name="reference: float32, PyTorch").is_checked()  # kept while hidden
    assert "engine=reference" in page.url and page.get_by_test_id("stException").count() == 0


CUT_LABELS = """() => [...document.querySelectorAll('[data-testid="stPageLink-NavLink"] p, [data-testid^="stBaseButton"] p')]
    .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""


def _looks_right_on_a_projector(page, slug: str) -> None:
    assert page.locator("h1").first.bounding_box()["y"] >= 0, slug  # the page opens at its title, not past it
    try:  # the wrapping style is added by a script once the page has drawn: give it a moment
        page.wait_for_function(f"() => ({CUT_LABELS})().length === 0", timeout=5_000)
    except PlaywrightTimeoutError:  # the assertion below says what is cut
        pass
    assert page.evaluate(CUT_LABELS) == [], slug  # no page name or button label cut short
    # Accessible: axe-core finds nothing serious or critical (contrast, names, list markup, …).
    assert serious_accessibility_problems(page) == [], slug


def test_rag_upload_ask_map_and_cited_answer(server, page, tmp_path):
    note = tmp_path / "zorblat_<b>museum.md"  # a name with markup: shown as text everywhere
    note.write_text("# The Zorblat museum\nThe Zorblat museum is painted teal. It opens at nine and the ticket "
                    "costs 14 florins. <script>window.hacked = true</script>\n")
    page.goto(f"{server}/rag")
    wait_for_app_idle(page)
    page.get_by_test_id("stFileUploader").first.locator("input[type=file]").set_input_files(str(note))
    page.get_by_text("zorblat_<b>museum.md").first.wait_for(timeout=60_000)
    wait_for_app_idle(page)
    question = page.get_by_label("Question", exact=True).and_(page.get_by_test_id("stTextInputField"))
    question.fill("How much is a ticket to the Zorblat museum?")
    question.press("Enter")
    wait_for_app_idle(page)
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.get_by_text("your question").wait_for(timeout=60_000)
    assert chart.get_by_text("zorblat_<b>museum.md").count() >= 1  # the legend shows the name as written
    assert chart.locator("b", has_text="museum").count() == 0
    page.get_by_role("button", name="Answer with and without retrieval").click()
    page.get_by_text("Without retrieval (memory only)").wait_for(timeout=120_000)
    wait_for_app_idle(page)
    cites = page.get_by_text("Cites:").first.inner_text()
    assert "zorblat_<b>museum.md" in cites
    assert page.evaluate("window.hacked") is None  # the script in the document never ran

    # The take-home notebook: both answers, their prompts exactly as sent (the passage inside), as text.
    # The report is written when pressed, in a rerun of this page (its index and map included): on a loaded
    # 2-core machine that took longer than Playwright's default 30 s wait, as the page's other waits allow for.
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Download your lab notebook").click()
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert report.count('<section id="run-') == 2 and "1. RAG — Answer" in report and "2. RAG — Answer" in report
    assert "2 run(s) from one session" in report
    assert "The Zorblat museum is painted teal." in report and "&lt;|im_start|&gt;" in report
    assert "&lt;script&gt;window.hacked = true&lt;/script&gt;" in report and "<script>window" not in report
    outputs = [" ".join(html.unescape(o).split()) for o in re.findall(r"<h3>Output</h3>\s*<pre>(.*?)</pre>", report, re.S)]
    shown = " ".join(page.get_by_test_id("stMain").inner_text().split())
    assert len(outputs) == 2 and all(o and o[:30] in shown for o in outputs)  # what the page showed, word for word


def test_a_task_file_with_markup_in_a_field_shows_it_as_text(server, page, tmp_path):
    task = tmp_path / "mine.json"
    task.write_text('{"scorer": "[click](javascript:alert(1)) ![px](' + server + '/px.png)", '
                    '"examples": [{"input": "a", "output": "b"}], "test": [{"input": "c", "output": "d"}]}')
    images = []
    page.on("request", lambda request: images.append(request.url) if request.url.endswith("/px.png") else None)
    page.goto(f"{server}/few_shot")
    wait_for_app_idle(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Task").first.click()
    page.get_by_role("option", name="custom (your own examples)").click()
    wait_for_app_idle(page)
    page.get_by_test_id("stFileUploader").first.locator("input[type=file]").set_input_files(str(task))
    error = page.get_by_test_id("stAlertContentError").first
    error.get_by_text("unknown scorer").wait_for(timeout=60_000)
    assert "[click](javascript:alert(1))" in error.inner_text()  # the field, as written
    assert error.locator("a").count() == 0 and error.locator("img").count() == 0 and images == []


def test_a_deep_link_on_a_fresh_server_still_runs_the_router(browser, chat_model):
    with streamlit_server() as url:
        page = browser.new_page()
        page.goto(f"{url}/conversation")
        wait_for_app_idle(page)
        assert page.get_by_test_id("stSidebar").get_by_text("Backend").count() == 1
        assert page.locator(".st-key-lab_navigation").get_by_text("Overview").count() == 1
        page.close()


def test_lora_side_by_side_then_start_and_cancel_training(server, page):
    page.goto(f"{server}/lora")
    wait_for_app_idle(page)
    page.get_by_role("button", name="Generate both").click()
    page.get_by_text("Adapter: viggo").wait_for(timeout=60_000)
    wait_for_app_idle(page)
    assert page.get_by_text("Base model (SmolLM2-135M-Instruct)", exact=True).count() == 1
    page.goto(f"{server}/lora_train")
    wait_for_app_idle(page)
    page.get_by_role("button", name="Start training").click()
    page.get_by_role("button", name="Cancel training").click(timeout=60_000)
    page.get_by_text("cancelled: step").wait_for(timeout=120_000)


def test_train_page_tiny_model_runs_and_reports(server, page):
    page.goto(f"{server}/train")
    wait_for_app_idle(page)
    page.get_by_test_id("stMetricValue").get_by_text("8.40e+23").wait_for(timeout=30_000)
    page.get_by_role("button", name="Start training").click()
    page.get_by_text("running: step").wait_for(timeout=120_000)  # its process has started and trains
    page.get_by_text("after step").first.wait_for(timeout=60_000)  # a sample of its writing, while it trains
    page.get_by_role("button", name="Cancel training").click(timeout=60_000)
    page.get_by_text("cancelled: step").wait_for(timeout=60_000)


# What a widget shows: a slider's thumb, else its input (a selectbox shows "Label (value)" or the value itself).
SHOWN_VALUE = """key => { const box = document.querySelector('.st-key-' + key);
    const thumb = box && box.querySelector('[data-testid="stSliderThumbValue"]');
    const radio = box && box.querySelector('input[type="radio"]:checked');
    if (thumb) return thumb.innerText;
    if (radio) return radio.closest('label').innerText.trim();
    return (box && box.querySelector('input') || {value: null}).value; }"""


def test_a_clicker_drives_the_whole_talk_and_the_notes_tab_follows(server, browser):
    """PageDown from the first step to the last, PageUp back one, keys only; the speaker's notes in a second tab
    move with the presenter. Each step: its page (URL), its bar, its point, its settings, its replay; no exception."""
    from lib import lora, replays, talk

    steps, recorded = talk.load(), replays.load()
    presenter = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    notes = browser.new_context(viewport={"width": 1000, "height": 800}).new_page()
    presenter.goto(f"{server}/?talk={steps[0].id}")
    notes.goto(f"{server}/?talk={steps[0].id}&notes=1")
    notes.get_by_role("heading", name=steps[0].title).wait_for(timeout=60_000)
    for at, step in enumerate(steps):
        presenter.get_by_text(f"Step {at + 1} of {len(steps)}: {step.title}").wait_for(timeout=120_000)
        presenter.get_by_text(step.point).wait_for(timeout=10_000)
        if step.demo:  # the recorded demo starts once the page is drawn; the next key may cut it short
            presenter.get_by_text(f"To run it live instead, {recorded[step.id]['live']}").wait_for(timeout=60_000)
            presenter.locator("h1").first.wait_for(timeout=10_000)
        else:
            presenter.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=120_000)
        assert f"talk={step.id}" in presenter.url and presenter.get_by_test_id("stException").count() == 0
        assert presenter.locator("h1").count() >= 1  # the step's page drew under the bar
        assert presenter.locator(".st-key-lab_navigation").count() == 0  # the navigation is out of the way
        for key, value in step.settings.items():  # the step's settings, as the page shows them
            presenter.locator(f".st-key-{key} input").first.wait_for(state="attached", timeout=30_000)
            shown = presenter.evaluate(SHOWN_VALUE, key)
            # A radio shows its option's label (the page's format_func): the one step setting on a radio is the set.
            label = lora.SET_LABELS.get(value) if key == "lora_set" else None
            assert shown in (str(value), label) or shown.endswith(f"({value})"), (step.id, key, shown)
        if at + 1 < len(steps):
            # A key pressed before the page has its listener would be lost, as a clicker's would: wait for it.
            presenter.wait_for_function("window.__talkKeys === true", timeout=30_000)
            presenter.keyboard.press("PageDown" if at % 2 == 0 else "ArrowRight")
    notes.get_by_role("heading", name=steps[-1].title).wait_for(timeout=30_000)  # it followed to the last step
    assert "notes=1" in notes.url and notes.get_by_text(steps[-1].notes).is_visible()
    presenter.keyboard.press("PageUp")
    presenter.get_by_text(f"Step {len(steps) - 1} of {len(steps)}").wait_for(timeout=60_000)
    assert f"talk={steps[-2].id}" in presenter.url
    presenter.context.close()
    notes.context.close()


def test_charts_draw_their_intervals_and_chance_and_a_replay_marks_its_answer(server, page):
    """The stored charts as a learner first sees them: whiskers (the 95 % interval, in the text under the chart
    too), the dashed chance line on a label task; the talk's few-shot replay names its question, the expected
    label and whether each answer is right."""
    for slug, label_task in (("few_shot", True), ("chain_of_thought", False), ("summary", False),
                             ("scoreboard", False)):
        page.goto(f"{server}/{slug}")
        wait_for_app_idle(page)
        chart = page.locator(".js-plotly-plot").first
        chart.wait_for(timeout=60_000)
        assert page.locator(".js-plotly-plot g.errorbar path").count() > 0, slug
        said = " ".join(page.get_by_test_id("stCaptionContainer").all_inner_texts())
        assert "95% interval" in said, slug
        assert ("Dashed line: chance" in said) == label_task, slug
        assert (chart.locator(".shapelayer path").count() > 0) == label_task, slug  # the chance line itself
    page.goto(f"{server}/?talk=few-shot")
    replay = page.get_by_text("Replay of a recorded run").locator("xpath=ancestor::*[@data-testid='stVerticalBlock'][1]")
    replay.get_by_text("answer read:").nth(1).wait_for(timeout=60_000)  # under each answer once it has played
    text = replay.inner_text()
    assert "Question:" in text and "Expected: hardware" in text
    assert text.count("answer read:") == 2 and ("wrong" in text or "right" in text)
