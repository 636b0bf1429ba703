"""Workshop load benchmark: real Chromium sessions asking one server at the same moment. `python bench/workshop.py --json`

Starts the app as `make run` does (lib.serve), twice: with the scheduler's fair turns (the default) and with
LLM_LAB_POLICY=whole_requests (each request holds the CPU from start to end: the old first-come-first-served
queue), so every gain is a ratio measured in the same run. Scenarios:
- chat: N sessions (one browser context each) ask the Overview playground one question each, 64 new tokens,
  greedy, pressing Enter at the same moment; the capacity table repeats it for 1, 4, 8 and N sessions;
- mixed: N−3 sessions chat while one runs the RAG page's evaluation, one trains a LoRA adapter and one
  recomputes the scoreboard (started just before the chats);
- training: the tiny model's 10-second run from the "Train from scratch" page, steps per second, against
  the same `tinylm.train` call in a process of its own with nothing else running.
Reports p50 / p95 / max seconds from Enter to a finished answer, failures, tokens per second over all
sessions, and the server's peak memory (its process and children). The browsers run on the same cores as
the server (on a 2-core machine they take a real share): the figures are for this whole machine. In a
workshop the browsers run on the attendees' own laptops; `--browsers-yield` stands in for that by running
Chromium in a CPU group with the least share (cgroup v1, root), so the server gets the cores whenever it wants
them and the browsers render with what is left. Both ways are reported by what they were run with.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser import CHROMIUM, CHROMIUM_ARGS, ask_together, open_playgrounds, streamlit_server, wait_for_app_idle  # noqa: E402

QUESTIONS = ["What is the capital of France?", "Name three primary colours.", "What is 12 times 12?",
             "Why is the sky blue?", "Give me a synonym for happy.", "What do bees make?",
             "How many legs does a spider have?", "What is the boiling point of water?",
             "Write a haiku about rain.", "What is photosynthesis?", "Who wrote Hamlet?",
             "What is the largest planet?", "Translate 'thank you' into French.", "What is a prime number?",
             "How many days are in a leap year?", "What does a thermometer measure?"]
QUERY = "?max_new_tokens=64"


class PeakMemory:
    """Samples the resident memory of a process and its children every 0.2 s."""

    def __init__(self, pid: int):
        import psutil

        self.process, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.wait(0.2):
            try:
                procs = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs if p.is_running()))
            except psutil.Error:
                pass

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(self.peak / 2**30, 2)


BROWSER_GROUP = Path("/sys/fs/cgroup/cpu/llm-lab-browsers")  # cgroup v1's cpu controller; needs root


def yielding_chromium(folder: Path) -> str:
    """A launcher that puts Chromium, and every process it starts, in a CPU group with the least share.

    Not `nice`: Chromium running as root raises its own main and GPU processes to nice -8."""
    BROWSER_GROUP.mkdir(exist_ok=True)
    # The default is 1024: under contention the server gets ~90 % and the browsers ~10 % (2 starved them so far
    # that a page could not even draw its chat box within 30 s while the mixed scenario trained).
    (BROWSER_GROUP / "cpu.shares").write_text("100")
    launcher = folder / "chromium-yielding"
    launcher.write_text(f'#!/bin/sh\necho $$ > {BROWSER_GROUP / "cgroup.procs"}\nexec {CHROMIUM} "$@"\n')
    launcher.chmod(0o755)
    return str(launcher)


def server_pid(url: str) -> int:
    import psutil

    port = url.rsplit(":", 1)[1]
    return next(p.pid for p in psutil.process_iter(["cmdline"])
                if "lib.serve" in " ".join(p.info["cmdline"] or []) and port in (p.info["cmdline"] or []))


@contextmanager
def server(one_at_a_time: bool):
    with streamlit_server(env={"LLM_LAB_POLICY": "whole_requests" if one_at_a_time else "turns"}) as url:
        yield url


def patient(pages: list) -> list:
    """A loaded 2-core machine can take longer than Playwright's 30 s to draw a page: the answer times count."""
    for page in pages:
        page.set_default_timeout(180_000)
    return pages


def summary(results: list[dict], wall_s: float) -> dict:
    done = [r for r in results if not r["failed"] and not r.get("left")]
    seconds = sorted(r["seconds"] for r in done) or [float("nan")]
    p95 = seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
    return {"sessions": len(results), "failures": sum(r["failed"] for r in results),
            "p50_s": round(statistics.median(seconds), 2), "p95_s": round(p95, 2), "max_s": round(seconds[-1], 2),
            "tokens_per_s_all": round(sum(r.get("tokens", 0) for r in done) / max(wall_s, 1e-9), 1)}


def chat_round(browser, url: str, n: int) -> dict:
    pages = patient(open_playgrounds(browser, url, n, QUERY))
    try:
        started = time.monotonic()
        results = ask_together(pages, [QUESTIONS[i % len(QUESTIONS)] for i in range(n)])
        return summary(results, time.monotonic() - started) | {"errors": [r["error"] for r in results if r["failed"]]}
    finally:
        for page in pages:
            page.context.close()


def start_background_work(browser, url: str) -> list:
    """The RAG evaluation, a LoRA training run and a scoreboard recompute, each in its own session."""
    pages = []
    for slug, button in [("rag", "Run the evaluation"), ("lora_train", "Start training"),
                         ("scoreboard", "Recompute on the bundled models")]:
        page = patient([browser.new_context(viewport={"width": 1200, "height": 900}).new_page()])[0]
        page.goto(f"{url}/{slug}")
        wait_for_app_idle(page, timeout_ms=300_000)
        pages.append((page, button))
    for page, button in pages:
        page.get_by_role("button", name=button).click()
    return [page for page, _ in pages]


def mixed_round(browser, url: str, n: int) -> dict:
    chats = patient(open_playgrounds(browser, url, n - 3, QUERY))
    background = start_background_work(browser, url)
    try:
        time.sleep(2)  # the background work has started before the chats ask
        started = time.monotonic()
        results = ask_together(chats, [QUESTIONS[i % len(QUESTIONS)] for i in range(n - 3)])
        return summary(results, time.monotonic() - started)
    finally:
        for page in chats + background:
            page.context.close()


def training_round(browser, url: str) -> dict:
    import re
    import subprocess

    alone = subprocess.run([sys.executable, "-c", "from lib import tinylm; log = tinylm.train(tinylm.TinyConfig("
                            "seconds=10), tinylm.corpus()); print(len(log.losses) / log.seconds)"],
                           cwd=ROOT, capture_output=True, text=True, check=True)
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    try:
        page.goto(f"{url}/train")
        wait_for_app_idle(page)
        slider = page.get_by_test_id("stSlider").filter(has_text="Seconds of training").get_by_role("slider")
        slider.focus()
        page.keyboard.press("Home")  # 10 s
        wait_for_app_idle(page)
        page.get_by_role("button", name="Start training").click()
        page.get_by_text(" steps in ").wait_for(timeout=180_000)
        steps, seconds = re.search(r"([\d,]+) steps in (\d+) s", page.get_by_text(" steps in ").inner_text()).groups()
        in_app = int(steps.replace(",", "")) / int(seconds)
    finally:
        page.context.close()
    steps_alone = float(alone.stdout.strip().splitlines()[-1])
    return {"steps_per_s_alone": round(steps_alone, 1), "steps_per_s_in_app": round(in_app, 1),
            "ratio_in_app_vs_alone": round(in_app / steps_alone, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--json", action="store_true", help="print one JSON object on one line")
    parser.add_argument("--no-mixed", action="store_true", help="skip the mixed scenario (it trains a LoRA adapter)")
    parser.add_argument("--turns-only", action="store_true", help="skip the one-at-a-time comparison")
    parser.add_argument("--browsers-yield", action="store_true",
                        help="give the browsers the least CPU share (root, cgroup v1), standing in for attendees' laptops")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from lib import fast_engine

    fast_engine.ensure_built()
    out: dict = {"cpu_count": os.cpu_count(), "sessions": args.sessions, "new_tokens": 64,
                 "note": "browsers and server share this machine's cores"
                         + (", the browsers in a CPU group with the least share" if args.browsers_yield else "")}
    with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
        executable = yielding_chromium(Path(folder)) if args.browsers_yield else CHROMIUM
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for mode, one_at_a_time in [("turns", False), ("one_at_a_time", True)][:1 if args.turns_only else 2]:
            with server(one_at_a_time) as url:
                memory = PeakMemory(server_pid(url))
                chat_round(browser, url, 1)  # warm-up: models load once per process
                out.setdefault("capacity_p95_s", {})[mode] = {
                    n: chat_round(browser, url, n)["p95_s"] for n in sorted({1, 4, 8} - {args.sessions})}
                out[f"chat_{mode}"] = chat_round(browser, url, args.sessions)
                out["capacity_p95_s"][mode][args.sessions] = out[f"chat_{mode}"]["p95_s"]
                out[f"peak_memory_gb_chat_{mode}"] = memory.stop()
                if not one_at_a_time:
                    out["training"] = training_round(browser, url)
                print(json.dumps(out), file=sys.stderr, flush=True)  # so far: a later failure loses nothing
                if not args.no_mixed:
                    memory = PeakMemory(server_pid(url))
                    out[f"mixed_{mode}"] = mixed_round(browser, url, args.sessions)
                    out[f"peak_memory_gb_mixed_{mode}"] = memory.stop()
                    print(json.dumps(out), file=sys.stderr, flush=True)
        browser.close()
    if not args.turns_only:
        out["ratio_p95_turns_vs_one_at_a_time"] = round(out["chat_turns"]["p95_s"] / out["chat_one_at_a_time"]["p95_s"], 2)
    if not args.no_mixed:
        out["ratio_mixed_vs_chat_p95_turns"] = round(out["mixed_turns"]["p95_s"] / out["chat_turns"]["p95_s"], 2)
    print(json.dumps(out, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
