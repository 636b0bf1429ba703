"""Backends: the OpenAI-compatible path against a real HTTP server on loopback, and the offline HF message."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lib import backends, settings
from lib.generation import GenerationSettings


class ChatServer(BaseHTTPRequestHandler):
    """Speaks the slice of the OpenAI chat API that Ollama, vLLM and llama.cpp server share (streamed SSE)."""

    requests: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ChatServer.requests.append((self.path, body))
        last = body["messages"][-1]["content"]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for word in ["You", " said", ": ", last]:
            chunk = {"id": "1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                     "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def server_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ChatServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


def test_openai_compatible_server_streams_and_gets_our_settings(server_url):
    backend = backends.OpenAIBackend(server_url, "tiny-test-model")
    settings = GenerationSettings(max_new_tokens=42, temperature=0.3, top_p=0.8, seed=5)
    stream = backend.stream([{"role": "user", "content": "hello"}], settings, threading.Event())
    assert "".join(stream) == "You said: hello"
    path, body = ChatServer.requests[-1]
    assert path == "/v1/chat/completions"
    assert (body["model"], body.get("max_completion_tokens", body.get("max_tokens")), body["temperature"], body["top_p"], body["seed"]) == (
        "tiny-test-model", 42, 0.3, 0.8, 5)
    assert stream.stats.new_tokens == 4


def test_unreachable_server_gives_a_clear_error_naming_its_address():
    backend = backends.OpenAIBackend("http://127.0.0.1:9/v1", "nothing")
    stream = backend.stream([{"role": "user", "content": "hello"}], GenerationSettings(), threading.Event())
    with pytest.raises(backends.BackendUnavailable, match=r"The server at http://127\.0\.0\.1:9/v1 stopped answering"):
        "".join(stream)


def test_hub_model_offline_says_how_to_go_online(monkeypatch, tmp_path):
    monkeypatch.delenv("LLM_LAB_ONLINE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(backends.BackendUnavailable, match="LLM_LAB_ONLINE=1"):
        backends.resolve_hf_model("HuggingFaceTB/SmolLM2-360M-Instruct")


def test_local_backend_counts_tokens_exactly(chat_model):
    backend = backends.LocalBackend(chat_model)
    assert backend.count_tokens("hello world") == len(chat_model.tokenizer("hello world")["input_ids"])
    assert backend.render_prompt([{"role": "user", "content": "hi"}]).endswith("<|im_start|>assistant\n")


def test_fast_backend_answers_many_and_renders_the_same_prompt_as_the_reference(fast_model, chat_model):
    fast, reference = backends.FastBackend(fast_model), backends.LocalBackend(chat_model)
    messages = [{"role": "user", "content": "hi"}]
    assert fast.render_prompt(messages) == reference.render_prompt(messages)
    assert fast.count_tokens("hello world") == reference.count_tokens("hello world")
    assert "onnxruntime (batched)" in fast.engine and "PyTorch" in reference.engine
    settings = GenerationSettings(max_new_tokens=12)
    conversations = [messages, [{"role": "user", "content": "What is 17 times 3?"}]]
    assert fast.answer_all(conversations, settings) == reference.answer_all(conversations, settings)


def test_a_link_that_names_a_server_leaves_it_unconfirmed(server_url):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params.update({"backend": "openai", "server_url": server_url, "server_model": "m"})
    at.run()
    assert not at.exception
    assert at.session_state["unconfirmed_server"] == server_url
    assert any("chose this server" in w.value for w in at.sidebar.warning)


def app_as_a_link_left_it(server_url):
    """The app in the state a link to a server leaves (the test above). AppTest drops the sidebar on a second run
    that starts from URL parameters, so these tests start from that state instead of from the URL."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=120)
    state = {**settings.defaults(), "backend": "openai", "server_url": server_url, "server_model": "m",
             "settings_loaded": True, "unconfirmed_server": server_url}
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def test_an_unconfirmed_server_gets_nothing(server_url):
    at = app_as_a_link_left_it(server_url)
    before = len(ChatServer.requests)
    at.chat_input(key="playground_input").set_value("my secret question").run()
    assert not at.exception
    assert any("press 'Send my prompts to this server'" in e.value for e in at.error)
    assert len(ChatServer.requests) == before  # nothing left this page


def test_a_confirmed_server_gets_the_prompts(server_url):
    at = app_as_a_link_left_it(server_url)
    at.sidebar.button(key="server_confirm").click().run()
    assert at.session_state["unconfirmed_server"] is None
    at.chat_input(key="playground_input").set_value("my question").run()
    assert not at.exception and not at.error
    assert ChatServer.requests[-1][1]["messages"][-1]["content"] == "my question"


def test_a_server_address_the_user_changed_needs_no_confirmation(server_url):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=120)
    state = {**settings.defaults(), "backend": "openai", "server_url": server_url, "server_model": "m",
             "settings_loaded": True, "unconfirmed_server": "http://elsewhere.example/v1"}  # the link's, since edited
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.sidebar.warning
    at.chat_input(key="playground_input").set_value("typed it myself").run()
    assert not at.exception and not at.error
    assert ChatServer.requests[-1][1]["messages"][-1]["content"] == "typed it myself"
