"""Helpers for browser tests: serve the app as `make run` does (lib.serve) on a free port, drive Debian's Chromium.

Waiting follows Streamlit's own e2e tests: the health endpoint first, then the
app's root element connected with no script running.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(timeout_s: float = 90, env: dict[str, str] | None = None):
    port = free_port()
    env = os.environ | {"PYTHONUNBUFFERED": "1"} | (env or {})
    log = open(ROOT / ".cache" / f"streamlit-{port}.log", "w") if (ROOT / ".cache").is_dir() else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "lib.serve", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not become healthy (exit code {proc.poll()})")
            time.sleep(0.2)  # polling a server we started; nothing to wait on but the socket
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_for_app_idle(page, timeout_ms: int = 120_000) -> None:
    """The app is connected and no script is running (the stApp data attributes Streamlit's e2e tests use)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout_ms)
    # The navigation exists only once the router has run, so "not running" after it means the run finished.
    page.wait_for_selector(".st-key-lab_navigation", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)




# One cheap look at a playground (a few selectors, no text search over the whole page): polling sixteen pages
# with Playwright's text locators kept their renderers, and so the shared CPU, busy.
_STATE_JS = """() => {
  const error = document.querySelector('[data-testid="stException"]');
  const line = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
    .map(e => e.textContent).find(t => t.includes('first token after')) || '';
  const messages = document.querySelectorAll('[data-testid="stChatMessageContent"]');
  return {error: error ? error.textContent.slice(0, 300) : '', line,
          answer: messages.length > 1 ? (line ? messages[1].innerText : messages[1].textContent) : ''};
}"""


def open_playgrounds(browser, url: str, n: int, query: str = "") -> list:
    """n separate sessions (one browser context each) on the Overview page, loaded and idle."""
    pages = []
    for _ in range(n):
        page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        page.goto(f"{url}/{query}")
        pages.append(page)
    for page in pages:
        wait_for_app_idle(page)
    return pages


def ask_together(pages: list, questions: list[str], timeout_s: float = 600, leave: int | None = None) -> list[dict]:
    """Type a question into each playground, then press Enter in all of them at (nearly) the same moment.

    Returns, per page, seconds from its Enter to its finished answer, the tokens it reports, its text, and
    whether it failed (an exception shown, or no answer within timeout_s). `leave`: the index of a page
    that goes away (about:blank) once its answer has started streaming, as a closed tab does."""
    for page, question in zip(pages, questions):
        page.get_by_test_id("stChatInputTextArea").fill(question)
    started = []
    for page in pages:
        started.append(time.monotonic())
        page.keyboard.press("Enter")
    results: list[dict | None] = [None] * len(pages)
    deadline = time.monotonic() + timeout_s
    while any(r is None for r in results) and time.monotonic() < deadline:
        for i, page in enumerate(pages):
            if results[i] is not None:
                continue
            state = page.evaluate(_STATE_JS)
            if i == leave:
                if state["answer"].strip():
                    page.goto("about:blank")
                    results[i] = {"seconds": time.monotonic() - started[i], "left": True, "failed": False}
            elif state["error"]:
                results[i] = {"seconds": time.monotonic() - started[i], "failed": True, "error": state["error"]}
            elif state["line"]:
                results[i] = {"seconds": time.monotonic() - started[i], "failed": False,
                              "tokens": int(state["line"].split(" tokens")[0].strip()), "answer": state["answer"].strip()}
        time.sleep(0.2)  # polling pages in a browser: there is no event to wait on across many pages
    return [r or {"seconds": timeout_s, "failed": True, "error": "no answer in time"} for r in results]


def serious_accessibility_problems(page) -> list[str]:
    """axe-core's violations of impact "serious" or "critical" on the page as it stands, one line per element."""
    from importlib.resources import files

    # The app's readable-captions style goes into the page's head from a script in the sidebar, which a browser
    # under load can run a moment after the script run is reported finished.
    page.wait_for_selector("#lab-readable", state="attached", timeout=30_000)
    page.evaluate((files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8"))
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    return [f"{v['id']} ({v['impact']}): {node['target']} — {node.get('failureSummary', '')[:200]}"
            for v in found if v["impact"] in ("serious", "critical") for node in v["nodes"]]
