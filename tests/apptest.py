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
