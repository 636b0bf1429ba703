"""Conversation: the history is re-sent every turn, and a limited window forgets the oldest turns."""

import streamlit as st

from lib import charts, conversation, runtime
from lib.textsafe import escape_markdown
from ui import conversation as ui_conversation, guide, widgets

st.title("Conversation and the context window")
st.write("A chat model has no memory between calls. The app sends the whole conversation again every turn; when "
         "it no longer fits the context window, the oldest turns are cut — and the model forgets them.")

if "conv_messages" not in st.session_state:
    st.session_state.conv_messages = []
c1, c2 = st.columns([2, 1])
system = c1.text_input("System message (always kept)", "You are a helpful assistant. Keep answers short.",
                       key="conv_system")
limit = c2.slider("Context window (tokens)", 256, 2048, 512, 64, key="conv_limit")
if c2.button("Clear the conversation", key="conv_clear"):
    st.session_state.conv_messages = []

history = st.session_state.conv_messages
for message in history:
    with st.chat_message(message["role"]):
        st.text(message["content"])

chosen = runtime.shown_backend()
reserve = runtime.generation_settings().max_new_tokens
count = lambda msgs: chosen.count_tokens(chosen.render_prompt(msgs)) if msgs else 0  # noqa: E731
# In a container, the input sits under the last message instead of pinned to the window's foot. Pinned, Streamlit
# scrolls the page to its bottom on every load, so a projector (large type) opened the page past its title.
# No max_chars: the browser would drop a longer paste without a word. A message over the limit arrives and is
# refused here, saying so.
said = st.container().chat_input("Say something — try telling it your name, then chat until it forgets",
                                 key="conv_input")
if said is not None and not said.strip():
    st.warning("The message was empty.")
elif said and len(said) > runtime.MAX_MESSAGE_CHARS:
    st.error(f"That message is {len(said):,} characters; the limit here is {runtime.MAX_MESSAGE_CHARS:,}. Shorten "
             "it and send it again (it was not sent).")
elif said:
    try:  # before the message is echoed: one too long for the window is refused, not shown as a page of text
        to_send, _ = conversation.fit_window([{"role": "system", "content": system}] + history +
                                             [{"role": "user", "content": said}], count, limit, reserve)
    except ValueError as error:
        st.error(escape_markdown(str(error)))
        st.stop()
    history.append({"role": "user", "content": said})
    with st.chat_message("user"):
        st.text(said)
    with st.chat_message("assistant"):
        result = runtime.stream_answer(to_send, source="assistant")
    if result:
        history.append({"role": "assistant", "content": result[0]})
    else:
        history.pop()

full = [{"role": "system", "content": system}] + history
if history:
    sent, dropped = conversation.window_view(full, count, limit, reserve)
    st.subheader("What the next turn will send")
    labels = ["system"] + [f"{m['role']} {i}" for i, m in enumerate(history, start=1)]
    widgets.chart(charts.context_window(labels, conversation.tokens_per_message(full, count), set(dropped),
                                        limit - reserve), "conv_chart")
    st.caption(f"{len(dropped)} message(s) already fall outside the window · {reserve} tokens kept free for the "
               f"answer (the sidebar's max new tokens) · the dashed line is what is left for the history.")
    with st.expander(f"The exact prompt ({count(sent):,} tokens)"):
        st.code(chosen.render_prompt(sent), language=None, wrap_lines=True)

ui_conversation.windows_table(chosen)
ui_conversation.forced_token()
guide.panel(__file__)
