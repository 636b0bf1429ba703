"""Loopback doubles of the two servers whose LoRA and log-probability shapes the lab reads (lib/servers.py).

They speak exactly the documented shapes, as read in December 2026:
- vLLM, docs v0.28.0 (docs.vllm.ai/en/v0.28.0: "OpenAI-Compatible Server", "LoRA Adapters") and its tokenize
  protocol (vllm/entrypoints/serve/tokenize/protocol.py): /v1/models cards with `owned_by` "vllm", `root` and
  `parent` (set on each `--lora-modules NAME=PATH` adapter); an adapter chosen by `"model": NAME`; /tokenize with
  `messages` + `add_generation_prompt`, or `prompt` + `add_special_tokens`, answering `{count, max_model_len,
  tokens}`; the completions extra parameter `prompt_logprobs`, answered per prompt token: null for the first, then
  `{token_id: {logprob, rank, decoded_token}}`;
- llama.cpp's tools/server README (master; it carries no release number): "GET /lora-adapters" answering
  `[{id, path, scale}]`, a request's `"lora": [{"id", "scale"}]` field (adapters not named get scale 0), and
  /v1/models listing the one model with `owned_by` "llamacpp".

The vLLM double reads real log-probabilities from a real model (the bundled SmolLM2 the test hands it), so a
score read through it can be compared with the same model scored in process. Chat answers are canned: each says
which model or adapter answered, which is what the tests look at.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Double(BaseHTTPRequestHandler):
    requests: list  # (method, path, body), per double class

    def _reply(self, payload, status: int = 200) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        type(self).requests.append(("POST", self.path, body))
        return body

    def _stream(self, model: str, text: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for word in text.split(" "):
            chunk = {"id": "1", "object": "chat.completion.chunk", "created": 0, "model": model,
                     "choices": [{"index": 0, "delta": {"content": word + " "}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


class VLLM(_Double):
    """`vllm serve base-model --enable-lora --lora-modules viggo=/adapters/viggo`."""

    requests: list = []
    model = None  # a LoadedModel: its tokenizer renders and its weights score

    def do_GET(self):
        type(self).requests.append(("GET", self.path, None))
        if self.path == "/v1/models":
            card = {"object": "model", "created": 0, "owned_by": "vllm", "max_model_len": 8192, "permission": []}
            self._reply({"object": "list", "data": [card | {"id": "base-model", "root": "base-model", "parent": None},
                                                    card | {"id": "viggo", "root": "/adapters/viggo",
                                                            "parent": "base-model"}]})
        else:
            self._reply({"detail": "Not Found"}, 404)

    def do_POST(self):
        body = self._body()
        tokenizer = VLLM.model.tokenizer
        if self.path == "/tokenize":
            if "messages" in body:
                text = tokenizer.apply_chat_template(body["messages"], tokenize=False,
                                                     add_generation_prompt=body.get("add_generation_prompt", True))
                ids = tokenizer(text, add_special_tokens=False)["input_ids"]
            else:
                ids = tokenizer(body["prompt"], add_special_tokens=body.get("add_special_tokens", True))["input_ids"]
            self._reply({"count": len(ids), "max_model_len": 8192, "tokens": ids})
        elif self.path == "/v1/completions":
            self._reply(self._completion(body))
        elif self.path == "/v1/chat/completions":
            self._stream(body["model"], f"answered by {body['model']}")
        else:
            self._reply({"detail": "Not Found"}, 404)

    def _completion(self, body: dict) -> dict:
        import torch

        ids = body["prompt"]
        with torch.inference_mode():
            logits = VLLM.model.model(input_ids=torch.tensor([ids])).logits[0].float().log_softmax(-1)
        read = [None] + [{str(token): {"logprob": float(logits[i - 1, token]), "rank": 1,
                                       "decoded_token": VLLM.model.tokenizer.decode([token])}}
                         for i, token in enumerate(ids) if i > 0]
        return {"id": "cmpl-1", "object": "text_completion", "model": body["model"],
                "choices": [{"index": 0, "text": "x", "logprobs": None, "finish_reason": "length",
                             "prompt_logprobs": read}],
                "usage": {"prompt_tokens": len(ids), "completion_tokens": 1, "total_tokens": len(ids) + 1}}


class LlamaCpp(_Double):
    """`llama-server -m base.gguf --lora viggo.gguf --lora-init-without-apply`."""

    requests: list = []

    def do_GET(self):
        type(self).requests.append(("GET", self.path, None))
        if self.path == "/v1/models":
            self._reply({"object": "list", "data": [{"id": "base.gguf", "object": "model", "created": 0,
                                                     "owned_by": "llamacpp", "meta": {}}]})
        elif self.path == "/lora-adapters":
            self._reply([{"id": 0, "path": "/models/viggo.gguf", "scale": 0.0}])
        else:
            self._reply({"error": {"code": 404, "message": "File Not Found"}}, 404)

    def do_POST(self):
        body = self._body()
        if self.path == "/v1/chat/completions":
            applied = [a["id"] for a in body.get("lora", []) if a.get("scale")]
            self._stream(body["model"], f"answered with adapters {applied}")
        else:
            self._reply({"error": {"code": 404, "message": "File Not Found"}}, 404)


def serving(handler):
    """Start a double on a free loopback port; returns (its /v1 base URL, a stop function)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/v1", server.shutdown
