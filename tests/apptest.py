"""Opening one page of the app in AppTest, through the router, the way a user arrives at it."""

from streamlit.testing.v1 import AppTest


def open_page(page: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=300)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def watch(job, timeout_s: float) -> None:
    """Wait for a background job the way its page does: looking at it every second (AppTest runs no timers)."""
    for _ in range(int(timeout_s)):
        if job.finished:
            return
        job.seen()
        job.wait(timeout=1)


def recorded(at: AppTest) -> list:
    """The runs this session's notebook holds, what its download writes (lib.notebook.Entry)."""
    return at.session_state["notebook"].entries if "notebook" in at.session_state else []


def chat_prompt(tokenizer, messages: list[dict]) -> str:
    """What a chat model reads, rendered here apart from the lab's backends: its own chat template."""
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def plain_prompt(tokenizer, messages: list[dict]) -> str:
    """What a pretrained-only model reads: BOS, then the instruction, shots and question as Input/Output text."""
    from lib.generation import completion_prompt

    return tokenizer.bos_token + completion_prompt(messages)
