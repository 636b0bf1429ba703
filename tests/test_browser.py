"""Browser tests: the real app served by `streamlit run`, driven in Debian's Chromium through Playwright."""

import pytest

from browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_for_app_idle

pytestmark = pytest.mark.browser

PAGE_TITLES = {
    "few_shot": "Few-shot", "chain_of_thought": "Chain-of-thought", "conversation": "Conversation",
    "rag": "Retrieval-augmented", "sft_rlhf": "SFT", "lora": "LoRA", "train": "Train from scratch",
    "summary": "form",
}


@pytest.fixture(scope="module")
def server(chat_model):  # chat_model: the weights are converted before the server needs them
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


def test_home_page_answers_a_question(server, page):
    page.goto(server)
    wait_for_app_idle(page)
    assert page.get_by_text("Customizing LLMs — an interactive lab").is_visible()
    page.get_by_test_id("stChatInputTextArea").fill("What is the capital of France?")
    page.keyboard.press("Enter")
    page.get_by_text("tokens/s").wait_for(timeout=120_000)
    assistant = page.get_by_test_id("stChatMessage").nth(1)
    assert "Paris" in assistant.inner_text()


def test_settings_survive_in_the_url(server, page):
    page.goto(f"{server}/?temperature=0.7&presenter=1")
    wait_for_app_idle(page)
    assert "temperature=0.7" in page.url and "presenter=1" in page.url
    sliders = page.get_by_test_id("stSidebar").get_by_role("slider")
    assert sliders.nth(1).get_attribute("value") == "0.7"
    sliders.nth(0).focus()
    page.keyboard.press("ArrowRight")  # max new tokens 128 → 129
    page.wait_for_url("**max_new_tokens=129**", timeout=30_000)


@pytest.mark.parametrize("slug, title", PAGE_TITLES.items())
def test_every_page_opens_from_the_navigation(server, page, slug, title):
    page.goto(f"{server}/{slug}")
    wait_for_app_idle(page)
    heading = page.locator("h1").first
    assert title.lower() in heading.inner_text().lower()
    assert page.get_by_test_id("stException").count() == 0
