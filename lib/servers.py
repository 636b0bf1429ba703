"""What an OpenAI-compatible server offers beyond chat, read from the endpoints its own documentation names.

    >>> offer = probe("http://gpu-box:8000/v1")          # Offer(kind="vLLM", adapters=("viggo", "form"), …)
    >>> offer.request_for("viggo")                        # what to add to a chat request to use that adapter
    >>> prompt_logprobs(offer, messages, [" yes", " no"]) # log P(option | prompt), where the server can say

Two servers are understood, each through its documented shapes:

- **vLLM** (docs.vllm.ai, "OpenAI-Compatible Server" and "LoRA Adapters"; `vllm/entrypoints/serve/tokenize`):
  `GET /v1/models` lists the base model and every `--lora-modules` adapter, an adapter with `parent` set to its
  base; a request picks an adapter by `"model": NAME`. Its `/tokenize` renders chat messages with the model's own
  template into token ids, and `/v1/completions` with `prompt_logprobs` gives each prompt token's log-probability,
  so options are scored as the bundled model scores them (the option's tokens appended to the prompt's).
- **llama.cpp's server** (tools/server/README, "GET /lora-adapters"): `GET /lora-adapters` lists the adapters
  loaded with `--lora` as `{id, path, scale}`; a request applies one with `"lora": [{"id": ID, "scale": 1.0}]`
  (adapters it does not name get scale 0). It reports log-probabilities of generated tokens only, so options
  cannot be scored.

Anything else (Ollama, a hosted API) is a plain chat server. A probe sends no prompt, only GETs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

VLLM, LLAMA_CPP, PLAIN = "vLLM", "llama.cpp server", "OpenAI-compatible server"
PROBE_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Offer:
    kind: str
    base_url: str
    models: tuple[str, ...] = ()  # base models the server lists
    adapters: tuple[str, ...] = ()  # LoRA adapters by name
    adapter_ids: dict = field(default_factory=dict, compare=False)  # llama.cpp: name → the id its requests use

    @property
    def can_score(self) -> bool:
        return self.kind == VLLM

    def request_for(self, adapter: str | None) -> tuple[str | None, dict]:
        """(the model name to send, extra body fields) that make a chat request use `adapter` (None: the base)."""
        if adapter is None:
            return None, {}
        if self.kind == VLLM:
            return adapter, {}
        if self.kind == LLAMA_CPP:
            return None, {"lora": [{"id": self.adapter_ids[adapter], "scale": 1.0}]}
        raise ValueError(f"The {self.kind} at {self.base_url} serves no adapters.")

    def said(self) -> str:
        """One line for the sidebar: what this server is and what it can do here."""
        adapters = f"{len(self.adapters)} LoRA adapter(s): {', '.join(self.adapters)}" if self.adapters else "no LoRA adapters"
        scoring = "scores options" if self.can_score else "cannot score options (no prompt log-probabilities)"
        return f"{self.kind}; {adapters}; {scoring}."


def root_of(base_url: str) -> str:
    """The server's root: the base URL without its trailing /v1 (llama.cpp and vLLM serve some endpoints there)."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def _client(api_key: str = "", timeout: float = PROBE_TIMEOUT_S):
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.Client(timeout=timeout, headers=headers)


def probe(base_url: str, api_key: str = "") -> Offer:
    """What the server at `base_url` offers (GETs only). An unreachable server is a plain one: the chat request
    that follows says what went wrong, with its address."""
    import httpx

    with _client(api_key) as client:
        try:
            listed = client.get(base_url.rstrip("/") + "/models").json().get("data", [])
        except (httpx.HTTPError, ValueError, AttributeError):
            listed = []
        cards = [card for card in listed if isinstance(card, dict) and isinstance(card.get("id"), str)]
        if any(card.get("owned_by") == "vllm" for card in cards):
            return Offer(VLLM, base_url, tuple(c["id"] for c in cards if not c.get("parent")),
                         tuple(c["id"] for c in cards if c.get("parent")))
        try:
            loaded = client.get(root_of(base_url) + "/lora-adapters")
            entries = loaded.json() if loaded.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            entries = None
        if isinstance(entries, list):
            named = {PurePosixPath(str(e.get("path", e["id"]))).stem or str(e["id"]): int(e["id"])
                     for e in entries if isinstance(e, dict) and "id" in e}
            return Offer(LLAMA_CPP, base_url, tuple(c["id"] for c in cards), tuple(named), named)
    return Offer(PLAIN, base_url, tuple(c["id"] for c in cards))


def prompt_logprobs(offer: Offer, model: str, messages: list[dict], options: list[str],
                    api_key: str = "") -> list[float]:
    """log P(option | prompt) for each option on a vLLM server: the prompt rendered by the server's own chat
    template (`/tokenize`), each option tokenized on its own and appended, and the appended tokens'
    log-probabilities read from `/v1/completions` with `prompt_logprobs` (one generated token is the least the
    endpoint accepts; it is ignored)."""
    if not offer.can_score:
        raise ValueError(f"The {offer.kind} at {offer.base_url} gives no prompt log-probabilities.")
    root = root_of(offer.base_url)
    with _client(api_key, timeout=60) as client:
        def post(url: str, body: dict) -> dict:
            reply = client.post(url, json=body)
            reply.raise_for_status()
            return reply.json()

        prompt = post(root + "/tokenize", {"model": model, "messages": messages, "add_generation_prompt": True})["tokens"]
        scores = []
        for option in options:
            ids = post(root + "/tokenize", {"model": model, "prompt": option, "add_special_tokens": False})["tokens"]
            reply = post(offer.base_url.rstrip("/") + "/completions",
                         {"model": model, "prompt": prompt + ids, "max_tokens": 1, "temperature": 0,
                          "prompt_logprobs": 0})
            read = reply["choices"][0]["prompt_logprobs"]
            scores.append(sum(read[len(prompt) + n][str(token)]["logprob"] for n, token in enumerate(ids)))
        return scores
