"""The guided path on a page: "Try this" (a button sets the widgets) and a quiz, and the learner's progress."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lib import figures, guide

GUIDES = guide.load()


def _state() -> tuple[set, dict]:
    return st.session_state.setdefault("guide_tried", set()), st.session_state.setdefault("guide_answered", {})


NOT_SHOWN = ("Not what this experiment expects, this time. A model this small measured on a few items is noisy: add "
             "items or seeds, and compare with the stored run the page shows for these settings.")


def _set_up(page: str, number: int, settings: dict) -> None:
    st.session_state.update(settings)  # a callback: the widgets take these values when the page draws again
    _state()[0].add((page, number))
    outcome = GUIDES[page].tries[number].outcome
    if outcome:  # a run made before this set-up is not this experiment's
        st.session_state.pop(outcome.result, None)


def _your_run(page: str, number: int, t: guide.Try, tried: set) -> None:
    """After a set-up try has been measured (its settings still in place): what the run shows, against the try."""
    if t.outcome is None or (page, number) not in tried or any(st.session_state.get(k) != v
                                                               for k, v in t.settings.items()):
        return
    result = st.session_state.get(t.outcome.result)
    verdict = guide.judge(t.outcome, result) if result else None
    if verdict is None:
        st.caption("Measure it with the page's button: your run will be compared with this expectation here.")
        return
    said, ok = verdict
    (st.success if ok else st.warning)(f"Your run: {said} " + ("That is what this experiment expects." if ok
                                                                else NOT_SHOWN))


def panel(page_file: str) -> None:
    """At the end of a lab page (`panel(__file__)`): its tries and its quiz; nothing in talk mode."""
    page = f"pages/{Path(page_file).name}"
    g = GUIDES.get(page)
    if g is None or "talk" in st.query_params:
        return
    tried, answered = _state()
    slug = Path(page).stem  # keys differ from page to page, so no answer carries over to another page's quiz
    st.divider()
    with st.expander(f"Try this ({len(g.tries)} experiments)", icon=":material/science:"):
        for n, t in enumerate(g.tries):
            done = " (set up)" if (page, n) in tried else ""
            st.markdown(f"**{n + 1}. {t.title}**{done}")
            st.write(f"Change: {t.change}  \nYou should see: {figures.render(t.expect)}  \nWhy: {figures.render(t.why)}")
            if t.settings:
                st.button("Set it up", key=f"guide_{slug}_try_{n}", on_click=_set_up, args=(page, n, t.settings))
            _your_run(page, n, t, tried)
    with st.expander(f"Check your understanding ({len(g.quiz)} questions)", icon=":material/quiz:"):
        for n, q in enumerate(g.quiz):
            chosen = st.radio(q.question, range(len(q.options)), format_func=q.options.__getitem__, index=None,
                              key=f"guide_{slug}_quiz_{n}")
            if chosen is not None:
                answered[(page, n)] = q.is_right(chosen)
                (st.success if q.is_right(chosen) else st.error)(
                    f"{'Right' if q.is_right(chosen) else 'Not quite'}: {figures.render(q.explain)}")


def progress_line() -> str:
    tried, answered = _state()
    p = guide.progress(GUIDES, tried, answered)
    return (f"Your path: {p['tried']} of {p['tries']} experiments set up, "
            f"{p['right']} of {p['questions']} quiz answers right")
