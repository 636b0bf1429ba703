"""Talk mode on stage: seconds from a clicker's key press to a usable step. `python bench/talk.py --json`

Starts the app as `make run` does, opens the first step in Chromium, and presses PageDown through every step
(Streamlit's own page switch, the step's settings, its page, then its replay starting). A step counts as usable
when its step bar, its point and its page's title are on screen and, for a step with a demo, the replay has
started; the replay then plays on while the page can already be used. The model is warm (one pass through the
talk first, as a presenter rehearses), the browser shares this machine's cores. Reports each step's seconds and
the slowest, against the 3-second target.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

from lib import replays, talk  # noqa: E402

TARGET_S = 3.0


def usable(page, steps, recorded, at: int, timeout_ms: int = 120_000) -> None:
    step = steps[at]
    page.get_by_text(f"Step {at + 1} of {len(steps)}: {step.title}").wait_for(timeout=timeout_ms)
    page.get_by_text(step.point).wait_for(timeout=timeout_ms)
    page.locator("h1").first.wait_for(timeout=timeout_ms)
    if step.demo and step.id in recorded:
        page.get_by_text(f"To run it live instead, {recorded[step.id]['live']}").wait_for(timeout=timeout_ms)
    else:
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)


def walk(page, url: str, steps, recorded) -> tuple[list[float], int]:
    """Seconds from each PageDown to the next step being usable (the first step: from opening its URL), and how
    many presses did nothing within 10 s and were pressed again (a presenter would; the time counts from the
    first press)."""
    seconds, lost = [], 0
    started = time.monotonic()
    page.goto(f"{url}/?talk={steps[0].id}")
    usable(page, steps, recorded, 0)
    seconds.append(time.monotonic() - started)
    for at in range(1, len(steps)):
        started = time.monotonic()
        page.keyboard.press("PageDown")
        try:
            page.wait_for_url(f"**talk={steps[at].id}*", timeout=10_000)
        except Exception:  # noqa: BLE001 - Playwright's timeout: the press was lost
            lost += 1
            page.keyboard.press("PageDown")
        usable(page, steps, recorded, at)
        seconds.append(time.monotonic() - started)
    return seconds, lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object on one line")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    steps, recorded = talk.load(), replays.load()
    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        rehearsal = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        walk(rehearsal, url, steps, recorded)  # models and indexes load once per server, as before a talk
        rehearsal.context.close()
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        seconds, lost = walk(page, url, steps, recorded)
        browser.close()
    out = {"steps": {s.id: round(t, 2) for s, t in zip(steps, seconds)}, "slowest_s": round(max(seconds), 2),
           "target_s": TARGET_S, "all_within_target": max(seconds) <= TARGET_S, "presses_lost": lost,
           "note": "a warm server (one rehearsal pass first); the browser shares this machine's cores"}
    print(json.dumps(out, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
