"""Talk mode on screen: the step bar (counter, the step's point, previous / next links that a clicker's keys press)
and the speaker's notes view, which follows the step the presenter's tab is on."""

from __future__ import annotations

import time

import streamlit as st

from lib import replays, talk
from lib.talk import Step
from lib.textsafe import escape_markdown

# PageDown / → and PageUp / ← press the step bar's links (a clicker sends those keys). Keys typed into a field or
# moving a slider stay theirs. The listener is added to the page once and looks the links up at each press.
KEYS_JS = """<script>
const app = window;
if (!app.__talkKeys) {
  app.__talkKeys = true;
  app.document.addEventListener("keydown", (event) => {
    if (event.target.closest && event.target.closest("input, textarea, select, [role=slider], [contenteditable=true]")) return;
    const label = {PageDown: "Next", ArrowRight: "Next", PageUp: "Previous", ArrowLeft: "Previous"}[event.key];
    if (!label) return;
    const link = [...app.document.querySelectorAll('a[data-testid="stPageLink-NavLink"]')]
      .find((a) => a.textContent.includes(label + " step"));
    if (link) { event.preventDefault(); link.click(); }
  });
}
</script>"""


@st.cache_resource(show_spinner=False)
def _presenter_position() -> dict:
    """The step the presenter's tab shows, for the notes tab to follow (one talk per server: a presenter's laptop)."""
    return {"step": None}


def _links(steps: list[Step], at: int, query: dict) -> None:
    before, after = talk.neighbours(steps, at)
    left, middle, right = st.columns([2, 5, 2], vertical_alignment="center")
    if before:
        left.page_link(before.page, label="Previous step", icon=":material/arrow_back:",
                       query_params=query | {"talk": before.id})
    middle.markdown(f"**Step {at + 1} of {len(steps)}: {steps[at].title}**")
    if after:
        right.page_link(after.page, label="Next step", icon=":material/arrow_forward:",
                        query_params=query | {"talk": after.id})
    st.html(KEYS_JS, unsafe_allow_javascript=True)  # our own constant script: no user text goes into it


def bar(steps: list[Step], at: int):
    """Above the page: where we are, the point of this step, and the way on. Returns the place for its replay,
    which plays once the page below has been drawn (`replay`)."""
    _presenter_position()["step"] = steps[at].id
    _links(steps, at, {})
    st.info(steps[at].point, icon=":material/campaign:")
    return st.container()


@st.cache_data(show_spinner=False)
def _recordings() -> dict:
    return replays.load()


def replay(step: Step, slot) -> None:
    """The step's recorded demo, played at the speed it was recorded the first time the step opens (instantly
    after that), labelled as a replay; the page's own button below runs it live."""
    recorded = _recordings().get(step.id)
    if not step.demo or recorded is None:
        return
    first_time = st.session_state.get("talk_replayed") != step.id
    st.session_state.talk_replayed = step.id
    with slot.container(border=True):
        st.markdown(f"**:material/replay: Replay of a recorded run** — recorded {recorded['recorded_at']} with the "
                    "bundled models on a 2-core laptop, played at the speed it was recorded. "
                    f"To run it live instead, {escape_markdown(recorded['live'])}.")
        streams = recorded["streams"]
        grades = replays.graded(step, recorded)
        if grades:
            st.markdown(f"**Question:** {escape_markdown(grades['question'])}  \n"
                        f"**Expected:** {escape_markdown(grades['expected'])}")
        columns = st.columns(min(len(streams), 4))
        started = time.perf_counter()
        for n, stream in enumerate(streams):
            with columns[n % len(columns)]:
                st.markdown(f"**{escape_markdown(stream['title'])}**")
                if first_time:
                    st.write_stream(escape_markdown(p) for p in replays.playback(stream["chunks"], started))
                else:
                    st.markdown(escape_markdown(replays.text_of(stream)))
                if grades:
                    read, score = grades["marks"][n]
                    st.markdown(f"answer read: {escape_markdown(read or '—')} · " + (
                        ":material/check_circle: right" if score == 1 else ":material/cancel: wrong" if score == 0
                        else f"score {score:.2f}"))


def notes(steps: list[Step], at: int) -> None:
    """The speaker's view: this step's point and notes, the next step's title; it moves when the presenter does."""
    _links(steps, at, {"notes": "1"})
    step, (_, after) = steps[at], talk.neighbours(steps, at)
    st.title(step.title)
    st.subheader(step.point)
    st.write(step.notes or "(no notes for this step)")
    st.caption(f"Next: {after.title}" if after else "Last step.")
    follow(steps, at)


@st.fragment(run_every=1)
def follow(steps: list[Step], at: int) -> None:
    shown = _presenter_position()["step"]
    moved_to = talk.position(steps, shown)
    if moved_to is not None and moved_to != at:
        st.switch_page(steps[moved_to].page, query_params={"talk": shown, "notes": "1"})
