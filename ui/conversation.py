"""The Conversation page's two measured sections: context windows in tokens and words, and a forced wrong token."""

from __future__ import annotations

import streamlit as st

from lib import conversation, experiments, figures, rag

_WORDS_PER_TOKEN: dict[str, float] = {}  # per model name: the sample documents are tokenized once per process


def windows_table(chosen) -> None:
    """The model in use beside published windows, in tokens and about how many words."""
    st.subheader("Token limits, in words")
    if chosen.name not in _WORDS_PER_TOKEN:
        texts = [d.page_content for d in rag.load_folder(rag.SAMPLE_DOCS)]
        _WORDS_PER_TOKEN[chosen.name] = conversation.words_per_token(chosen.count_tokens, texts)
    per_token = _WORDS_PER_TOKEN[chosen.name]
    own = {"model": chosen.name, "tokens": chosen.context_window,
           "source": "this model's own configuration" if chosen.exact_tokens else
           "assumed: a server does not report its window"}
    st.dataframe(conversation.windows(own, figures.references()["context_windows"], per_token), hide_index=True,
                 column_config={"tokens": st.column_config.NumberColumn(format="localized"),
                                "words": st.column_config.NumberColumn("≈ words", format="localized")})
    counted = (f"words per token of {chosen.name}'s tokenizer on the lab's sample documents (other tokenizers split "
               "differently)" if chosen.exact_tokens else
               "the usual estimate of about 4 characters a token, as this server's tokenizer is not known here")
    st.caption(f"A window counts tokens, not words. Words ≈ tokens × {per_token:.2f}: {counted}. The window holds "
               "the prompt and the answer together; the slider above is a smaller window than the model's own, so "
               "that forgetting shows after a few turns.")


def forced_token() -> None:
    """The stored forced-digit run: how often the right figure comes back, and the first examples."""
    name = "conversation/forced-token"
    stored = experiments.load(name)
    if not stored:
        st.info(f"Nothing is stored yet: `{experiments.get(name).command}` measures it.")
        return
    st.subheader("A wrong token stays")
    st.write(f"An answer is written one token at a time, and every token written becomes input for the next: the "
             f"model cannot take one back. In the stored run ({stored['model']}, greedy, "
             f"{stored['settings']['k']} retrieved passages in front of each question), {stored['numeric']} of the "
             f"{stored['items']} questions ask for a number, and the model wrote the right one in {stored['stated']}. "
             f"In {stored['forced']} of those, the likeliest other digit was forced in where the number starts and "
             f"the answer went on: the right figure came back somewhere in **{stored['recovered']:.0%}** of them "
             f"(95 % interval {stored['recovered_low']:.0%} to {stored['recovered_high']:.0%}).")
    st.dataframe(conversation.forced_examples(stored["rows"], 4), hide_index=True)
    st.caption(f"Made by `{experiments.get(name).command}`. In a conversation the same happens across turns: a "
               "wrong answer goes back in with the history, and later answers read it as given.")
