"""Router: page config, the shared sidebar, and the navigation grouped the way the talk runs."""

from pathlib import Path

import streamlit as st

from lib import runtime, talk
from lib import settings as lab_settings
from lib.textsafe import escape_markdown
from ui import downloads
from ui import guide as guide_ui
from ui import talk as talk_ui

STEPS = talk.load()
# ?talk=STEP opens talk mode on that step (an unknown id: the first); &notes=1 is the speaker's view of it.
TALK_AT = (talk.position(STEPS, st.query_params.get("talk")) or 0) if "talk" in st.query_params else None

# A file of our own, not ":material/…": the browser fetches Material favicons from fonts.gstatic.com.
st.set_page_config(page_title="Customizing LLMs — a lab", page_icon=str(Path(__file__).parent / "assets" / "icon.png"),
                   layout="wide", initial_sidebar_state="collapsed" if TALK_AT is not None else "auto")

BY_FILE: dict[str, st.Page] = {}
TITLES: dict[str, str] = {}


def page_of(file: str, title: str, icon: str, default: bool = False) -> st.Page:
    BY_FILE[file] = st.Page(file, title=title, icon=icon, default=default)  # talk steps name their pages by file
    TITLES[file] = title
    return BY_FILE[file]


PAGES = {
    "": [page_of("pages/overview.py", title="Overview", icon=":material/map:", default=True)],
    "Prompt": [
        page_of("pages/few_shot.py", title="Few-shot", icon=":material/target:"),
        page_of("pages/chain_of_thought.py", title="Chain-of-thought", icon=":material/psychology:"),
        page_of("pages/conversation.py", title="Conversation", icon=":material/forum:"),
        page_of("pages/rag.py", title="RAG", icon=":material/library_books:"),
    ],
    "Tune": [
        page_of("pages/sft_rlhf.py", title="SFT & RLHF", icon=":material/school:"),
        page_of("pages/lora.py", title="LoRA: side by side", icon=":material/extension:"),
        page_of("pages/lora_explained.py", title="LoRA: how it works", icon=":material/grid_on:"),
        page_of("pages/lora_train.py", title="LoRA: train your own", icon=":material/model_training:"),
    ],
    "Train": [page_of("pages/train.py", title="Train from scratch", icon=":material/construction:")],
    "Summary": [
        page_of("pages/summary.py", title="Form vs fact", icon=":material/balance:"),
        page_of("pages/scoreboard.py", title="Scoreboard", icon=":material/leaderboard:"),
    ],
}

ENGINE_LABELS = {"fast": "fast: 4-bit, onnxruntime (batched)", "fastest": "fastest: 4-bit, int8 activations (lossy)",
                 "reference": "reference: float32, PyTorch"}

# Two fixes the axe audit asks for, made once per browser tab (our own constant script: no user text goes into
# it). Streamlit fades captions to 3.9:1 on white where WCAG AA asks 4.5:1: a style in the page's head, which no
# rerun replaces. A long sidebar scrolls, and a region that scrolls must be reachable by keyboard: it takes focus.
ACCESSIBLE_JS = """<script>
const doc = window.document;
if (!doc.getElementById("lab-readable")) {
  const style = doc.createElement("style");
  style.id = "lab-readable";
  style.textContent = '[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * ' +
                      '{ color: #55545f !important; opacity: 1 !important; } ' +
                      // a long page name wraps instead of ending in "…"
                      '[data-testid="stPageLink-NavLink"] span, [data-testid="stPageLink-NavLink"] p ' +
                      '{ white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }';
  doc.head.appendChild(style);
}
const sidebar = doc.querySelector('[data-testid="stSidebarContent"]');
if (sidebar) { sidebar.tabIndex = 0; sidebar.setAttribute("aria-label", "Pages and settings"); }
</script>"""

PRESENTER_CSS = """<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.25rem; }
code, pre { font-size: 1.1rem !important; }
/* The larger type must not cut page names or button labels short: let them wrap. */
[data-testid="stPageLink-NavLink"] span, [data-testid="stPageLink-NavLink"] p,
[data-testid^="stBaseButton"] p, [data-testid^="stBaseButton"] div
  { white-space: normal; overflow: visible; text-overflow: clip; }
</style>"""


def load_settings_once() -> None:
    """First run of a session: take settings from the URL, so a bookmarked state comes back."""
    if "settings_loaded" in st.session_state:
        return
    values = lab_settings.from_query(st.query_params.to_dict())
    st.session_state.update(values)
    if "backend" in st.query_params or "server_url" in st.query_params:
        # A link may name a server, but only the person at the page decides that their prompts go there.
        st.session_state.unconfirmed_server = values["server_url"]
    st.session_state.settings_loaded = True


# Sidebar fields that only some backends show: the engine (bundled), the model id (Hugging Face), the server's
# address, model and key (OpenAI-compatible).
SOMETIMES_SHOWN = ("engine", "hf_model", "server_url", "server_model", "server_api_key")


def keep_hidden_settings() -> None:
    """Keep the values of sidebar fields the chosen backend does not show.

    Streamlit deletes a widget's key from st.session_state after a run in which the widget was not drawn, so
    choosing another backend would lose the engine (and the URL mirroring below would find no "engine"). Writing
    a key back to itself before its widget is drawn is Streamlit's documented way to keep it."""
    for key in SOMETIMES_SHOWN:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def trust_server() -> None:
    st.session_state.unconfirmed_server = None


def navigation() -> None:
    """The pages as links of our own: Streamlit's built-in list fails the accessibility audit (items outside lists)."""
    with st.sidebar.container(key="lab_navigation"):
        for group, pages in PAGES.items():
            if group:
                st.markdown(f"**{group}**")
            for each in pages:
                st.page_link(each)


def sidebar():
    if TALK_AT is None:
        navigation()
    with st.sidebar:
        st.header("Model")
        st.radio(
            "Backend",
            lab_settings.BACKENDS,
            key="backend",
            format_func={"bundled": "Bundled SmolLM2 (offline)", "hf": "Hugging Face model id",
                         "openai": "OpenAI-compatible server"}.get,
        )
        if st.session_state.backend == "bundled":
            st.radio("Engine", lab_settings.ENGINES, key="engine", format_func=ENGINE_LABELS.get,
                     help="Same model, same prompts. The fast engines read 4-bit weights (~120 MB a token) where "
                          "PyTorch reads float32 (~540 MB); 'fastest' also rounds activations to 8 bits, which "
                          "changes some answers. The Overview page shows what each buys and costs.")
        if st.session_state.backend == "hf":
            st.text_input("Model id", key="hf_model", help="Loaded from the local cache; downloads need LLM_LAB_ONLINE=1.")
        elif st.session_state.backend == "openai":
            st.text_input("Server URL", key="server_url", help="Ollama: http://localhost:11434/v1")
            st.text_input("Model name", key="server_model")
            st.text_input("API key (kept in this session only)", key="server_api_key", type="password")
            if runtime.server_unconfirmed():
                st.warning("The link you opened chose this server. Nothing is sent to it until you confirm.")
                st.button("Send my prompts to this server", key="server_confirm", on_click=trust_server)
            elif str(st.session_state.server_url).strip():
                st.caption(escape_markdown(runtime.server_offer().said()))  # adapter names are the server's text
        st.header("Generation")
        st.slider("Max new tokens", 1, 1024, key="max_new_tokens")
        st.slider("Temperature (0 = greedy)", 0.0, 2.0, step=0.05, key="temperature")
        st.slider("Top-p", 0.05, 1.0, step=0.05, key="top_p", disabled=st.session_state.temperature == 0)
        st.number_input("Seed", 0, 2**31 - 1, key="seed")
        st.toggle("Presenter mode (larger type)", key="presenter")
        st.page_link("pages/overview.py", label="Give the talk (PageDown / → steps on)", icon=":material/slideshow:",
                     query_params={"talk": STEPS[0].id})
        progress = st.empty()  # the learner's progress, written once the page has run
        notebook_button = st.empty()  # likewise the notebook, so it counts this run's answers
    st.html(ACCESSIBLE_JS, unsafe_allow_javascript=True)
    if st.session_state.presenter or TALK_AT is not None:
        st.html(PRESENTER_CSS)
    kept = {k: st.query_params[k] for k in ("talk", "notes") if k in st.query_params}
    st.query_params.from_dict(lab_settings.to_query(runtime.settings()) | kept)
    return progress, notebook_button


def talk_step(at: int) -> None:
    """Talk mode: open the step's page with the step's settings (once, on arriving, so the presenter can still
    change them), under the step bar; or the speaker's notes."""
    step = STEPS[at]
    if page is not BY_FILE[step.page]:
        st.switch_page(step.page, query_params=dict(st.query_params))
    if st.query_params.get("notes") == "1":
        talk_ui.notes(STEPS, at)
        st.stop()
    if st.session_state.get("talk_applied") != step.id:
        st.session_state.update(step.settings)
        st.session_state.talk_applied = step.id
    return talk_ui.bar(STEPS, at)


runtime.start_warm_ups()
load_settings_once()
keep_hidden_settings()
page = st.navigation(PAGES, position="hidden")  # the sidebar lists the pages itself (navigation())
path_progress, notebook_button = sidebar()
replay_slot = talk_step(TALK_AT) if TALK_AT is not None else None
# Runs recorded in the notebook name their page. (Our own titles, not page.title: outside a Streamlit server, as
# in a spawned training process that imports this file, the page object has none.)
st.session_state.notebook_page = next((TITLES[f] for f, p in BY_FILE.items() if p is page), "")
try:
    page.run()  # a lab page ends with its guided path (ui.guide.panel), hidden in talk mode
finally:  # also when the page stops early (st.stop)
    if TALK_AT is None:
        path_progress.caption(guide_ui.progress_line())
        downloads.notebook(notebook_button)
    else:
        talk_ui.replay(STEPS[TALK_AT], replay_slot)  # after the page: it is usable while the replay plays
