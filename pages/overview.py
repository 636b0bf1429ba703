"""Home: the map of the three options, the model's status, and a small chat playground."""

import streamlit as st

from lib import content, engine_results, runtime

OVERVIEW = content.overview()

st.title("Customizing LLMs — an interactive lab")
st.write(OVERVIEW.intro)

for column, option in zip(st.columns(3), OVERVIEW.options):
    with column.container(border=True):
        st.subheader(option.title)
        st.caption(option.cost)
        st.write(option.text)
        for page in option.pages:
            st.page_link(page)
st.page_link(OVERVIEW.summary_page, label=OVERVIEW.summary, icon=":material/balance:")

st.header("Try the model")
status_box, chat_box = st.columns([1, 2])
with status_box.container(border=True):
    st.subheader("Status")
    loaded = runtime.bundled_model()
    try:
        engine = runtime.backend().engine
    except runtime.USER_ERRORS as error:
        engine = f"unavailable — {error}"
    st.write(f"**Bundled model:** {loaded.name}  \n**Parameters:** {loaded.parameters:,}  \n**Context window:** {loaded.context_window:,} tokens  \n"
             f"**Load time:** {loaded.load_seconds:.2f} s{' (first-time conversion)' if loaded.converted else ''}  \n"
             f"**Backend in use:** {runtime.settings()['backend']}  \n**Engine:** {engine}  \n"
             f"**Sessions being answered right now:** {runtime.scheduler().people}")

with chat_box:
    st.caption("Each question is answered on its own (the Conversation page shows how chat memory works).")
    question = st.chat_input("Ask the model something…", key="playground_input", max_chars=runtime.MAX_MESSAGE_CHARS)
    if question is not None and not question.strip():
        st.warning("Type a question first — the message was empty.")
    elif question:
        with st.chat_message("user"):
            st.text(question)
        with st.chat_message("assistant"):
            result = runtime.stream_answer([{"role": "user", "content": question}])
        if result:
            _, stats = result
            st.caption(f"{stats.new_tokens} tokens · first token after {stats.ttft_s or 0:.2f} s · "
                       f"{stats.tokens_per_second:.1f} tokens/s" + (" · stopped early" if stats.cancelled else ""))

st.header("Why the fast engine is fast — and what careless quantization costs")
st.write(OVERVIEW.engines)
engines = engine_results.load()
if engines is None:
    st.info("Run `make bench` to measure the engines on this machine.")
else:
    st.dataframe(engine_results.table(engines), hide_index=True)
    st.caption(engine_results.caption(engines))
