"""Backends: the OpenAI-compatible path against a real HTTP server on loopback, and the offline HF message."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lib import backends
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


def test_unreachable_server_gives_a_clear_error():
    backend = backends.OpenAIBackend("http://127.0.0.1:9/v1", "nothing")
    stream = backend.stream([{"role": "user", "content": "hello"}], GenerationSettings(), threading.Event())
    with pytest.raises(backends.BackendUnavailable, match="stopped answering"):
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
    assert "onnxruntime-genai" in fast.engine and "PyTorch" in reference.engine
    settings = GenerationSettings(max_new_tokens=12)
    conversations = [messages, [{"role": "user", "content": "What is 17 times 3?"}]]
    assert fast.answer_all(conversations, settings) == reference.answer_all(conversations, settings)
