"""Which backend answers: this session's sidebar settings (kept in `st.session_state`), the backend they choose, and the
backends a page sets beside it (the bundled model, the pretrained Gemma, an adapter, the server's adapters)."""

from __future__ import annotations


import streamlit as st

from lib import backends, servers
from lib import settings as lab_settings
from lib.generation import GenerationSettings
from lib.textsafe import escape_markdown
from lib.runtime.shared import (USER_ERRORS, bundled_model, fast_model, hf_backend, lora_server, pretrained_base,
                                server_for)


def settings() -> dict[str, object]:
    """This session's sidebar settings (defaults where the sidebar has not run, e.g. a page tested alone)."""
    values = lab_settings.defaults()
    values.update({k: st.session_state[k] for k in values if k in st.session_state})
    return values


def generation_settings() -> GenerationSettings:
    s = settings()
    return GenerationSettings(
        max_new_tokens=int(s["max_new_tokens"]),
        temperature=float(s["temperature"]),
        top_p=float(s["top_p"]),
        seed=int(s["seed"]),
    )


def backend() -> backends.Backend:
    """The backend chosen in the sidebar. Raises BackendUnavailable with a readable reason."""
    s = settings()
    if s["backend"] == "hf":
        return hf_backend(str(s["hf_model"]).strip())
    if s["backend"] == "openai":
        return server_backend()
    return bundled_backend()


def server_backend(adapter: str | None = None) -> backends.OpenAIBackend:
    """The sidebar's OpenAI-compatible server, with one of its LoRA adapters (None: its base model)."""
    s = settings()
    return backends.OpenAIBackend(str(s["server_url"]).strip(), str(s["server_model"]).strip(),
                                  st.session_state.get("server_api_key", ""), offer=server_offer(), adapter=adapter)


def server_offer() -> servers.Offer:
    """What the sidebar's server offers (its adapters, option scoring). A server a link chose and nobody confirmed
    is not even probed: nothing goes to it before the confirmation."""
    url = str(settings()["server_url"]).strip()
    if server_unconfirmed() or not url:
        return servers.Offer(servers.PLAIN, url)
    return _probed(url, st.session_state.get("server_api_key", ""))


@st.cache_data(ttl=60, show_spinner=False, max_entries=64)
def _probed(url: str, api_key: str) -> servers.Offer:
    return servers.probe(url, api_key)


def shown_backend() -> backends.Backend:
    """The sidebar's backend, for showing a prompt and counting its tokens before anything is sent. When it
    cannot be reached (a model not in the local cache, say), the page says so and shows the bundled model's."""
    try:
        return backend()
    except USER_ERRORS as error:
        st.warning(f"The backend chosen in the sidebar is unavailable, so this panel shows the bundled model's "
                   f"prompt and token counts instead. {escape_markdown(str(error))}")
        return bundled_backend()


def sending_backend() -> backends.Backend:
    """The sidebar's backend, for sending prompts: refused while a server a link chose is unconfirmed."""
    if settings()["backend"] == "openai" and server_unconfirmed():
        raise backends.BackendUnavailable(
            "The link you opened chose the server this page would send your prompts to. Check its address "
            "in the sidebar and press 'Send my prompts to this server' first, or pick another backend.")
    return backend()


def server_unconfirmed() -> bool:
    """True while the server address is the one a link set and nobody at this page has confirmed it (a typed
    address counts as chosen)."""
    link = st.session_state.get("unconfirmed_server")
    return link is not None and str(settings()["server_url"]) == link


def bundled_backend() -> backends.LocalBackend:
    """The bundled model on the sidebar's engine, whatever the backend (pages that set it beside its adapters).
    On the fast engine, options are scored by the shared PyTorch copy of the same weights."""
    engine = settings()["engine"]
    if engine == "reference":
        return backends.LocalBackend(bundled_model())
    return backends.FastBackend(fast_model(backends.ACTIVATIONS[engine]),
                                scorer=lambda: backends.LocalBackend(bundled_model()))


def pretrained_backend(style: str | None = None) -> backends.LocalBackend:
    """The pretrained-only Gemma 3 270M: reading Input/Output text, or (style backends.CONTINUE) the bare text."""
    return backends.LocalBackend(pretrained_base(), style=style)


SERVER_ADAPTER = "server:"  # adapter_choices' prefix for an adapter the sidebar's server holds


def adapter_backend(adapter: str | None, of: str | None = None) -> backends.Backend:
    """An adapter (a bundled one's name, a session's own, or SERVER_ADAPTER + a name the sidebar's server holds) in
    the LoRA server that holds it; with adapter None, the base model of the server holding adapter `of`."""
    named = adapter or of or ""
    if named.startswith(SERVER_ADAPTER):
        return server_backend(adapter.removeprefix(SERVER_ADAPTER) if adapter else None)
    return server_for(named).backend(adapter)


def backend_for(model: str, method: str = "generate") -> backends.Backend:
    """The backend for the prompting pages' model choice (prompting.MODELS): the sidebar's for the chat model, the
    pretrained Gemma for the base model. Option scoring needs a backend that reads probabilities; where the
    sidebar's cannot, the page says so and the bundled model scores."""
    if model == "base":
        return pretrained_backend()
    chosen = sending_backend()
    if method == "options" and not chosen.can_score:
        st.info(f"{escape_markdown(chosen.name)} cannot score options (it does not give each label's "
                "log-probability), so the bundled model scores them here.")
        return bundled_backend()
    return chosen


def engine_name() -> str:
    """The engine a measurement here runs on, as the stored results name theirs (settings.ENGINES, or the backend)."""
    s = settings()
    return str(s["engine"]) if s["backend"] == "bundled" else str(s["backend"])


def session_adapters():
    """This session's own adapters (unloaded and deleted when the session ends)."""
    from lib import lora_serving

    if "lora_session" not in st.session_state:
        st.session_state.lora_session = lora_serving.SessionAdapters(lora_server())
    return st.session_state.lora_session


def adapter_choices() -> dict[str, str]:
    """Display name → adapter name: the bundled ones, this session's, then those of the sidebar's server (when it
    is an OpenAI-compatible server that lists adapters: vLLM's, llama.cpp's)."""
    from lib import lora

    remote = {}
    if settings()["backend"] == "openai":
        remote = {f"{name} (on the server)": SERVER_ADAPTER + name for name in server_offer().adapters}
    return {name: name for name in lora.BUNDLED} | session_adapters().adapters | remote
