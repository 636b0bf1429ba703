"""What an OpenAI-compatible server offers (lib/servers.py), against loopback doubles of vLLM and llama.cpp's server
that speak their documented shapes (tests/server_doubles.py), and the pages that use it."""

import pytest
from apptest import recorded
from server_doubles import VLLM, LlamaCpp, serving

from lib import backends, lora, prompting, servers, settings, tasks
from lib.generation import GenerationSettings


@pytest.fixture
def vllm(chat_model):
    VLLM.model, VLLM.requests = chat_model, []
    url, stop = serving(VLLM)
    yield url
    stop()


@pytest.fixture
def llama_cpp():
    LlamaCpp.requests = []
    url, stop = serving(LlamaCpp)
    yield url
    stop()


def test_a_vllm_server_lists_its_adapters_and_can_score(vllm):
    offer = servers.probe(vllm)
    assert (offer.kind, offer.models, offer.adapters, offer.can_score) == (servers.VLLM, ("base-model",), ("viggo",), True)
    assert [(method, path) for method, path, _ in VLLM.requests] == [("GET", "/v1/models")]  # a probe sends no prompt


def test_a_llama_cpp_server_lists_its_adapters_by_file_and_cannot_score(llama_cpp):
    offer = servers.probe(llama_cpp)
    assert (offer.kind, offer.adapters, offer.can_score) == (servers.LLAMA_CPP, ("viggo",), False)
    assert "cannot score options" in offer.said() and "viggo" in offer.said()


def test_an_unreachable_or_plain_server_is_a_plain_chat_server():
    offer = servers.probe("http://127.0.0.1:9/v1")
    assert (offer.kind, offer.adapters, offer.can_score) == (servers.PLAIN, (), False)


@pytest.mark.parametrize("double", ["vllm", "llama_cpp"])
def test_each_server_is_asked_for_its_adapter_its_own_way(double, request):
    url = request.getfixturevalue(double)
    offer = servers.probe(url)
    model = offer.models[0]
    chosen = backends.OpenAIBackend(url, model, offer=offer, adapter="viggo")
    answer = "".join(chosen.stream([{"role": "user", "content": "Is Portal 2 on Steam?"}], GenerationSettings()))
    _, _, body = (VLLM if double == "vllm" else LlamaCpp).requests[-1]
    if double == "vllm":
        assert body["model"] == "viggo" and "lora" not in body and answer.strip() == "answered by viggo"
    else:
        assert body["model"] == model and body["lora"] == [{"id": 0, "scale": 1.0}]
        assert answer.strip() == "answered with adapters [0]"
    assert "LoRA 'viggo'" in chosen.name


def test_options_scored_through_vllms_prompt_logprobs_equal_the_same_model_scored_here(vllm, chat_model):
    task = tasks.load("sentiment")
    conversations = [prompting.build_messages(task, prompting.pick_shots(task, 2, 0), item.input)
                     for item in task.test[:2]]
    remote = backends.OpenAIBackend(vllm, "base-model", offer=servers.probe(vllm))
    here = backends.LocalBackend(chat_model)
    far, near = remote.score_options(conversations, list(task.labels)), here.score_options(conversations, list(task.labels))
    assert [s for row in far for s in row] == pytest.approx([s for row in near for s in row], abs=2e-3)
    assert len({round(s, 2) for s in far[0]}) == len(task.labels)  # distinct scores: the right positions were read
    answers = prompting.answerer(remote, task, "options", 0)(conversations)
    assert [label for label, _ in answers] == [task.labels[row.index(max(row))] for row in near]


def test_a_llama_cpp_server_says_it_cannot_score(llama_cpp):
    remote = backends.OpenAIBackend(llama_cpp, "base.gguf", offer=servers.probe(llama_cpp))
    with pytest.raises(backends.NotOnThisBackend, match="llama.cpp server .* cannot score options"):
        remote.score_options([[{"role": "user", "content": "Hi"}]], ["yes", "no"])


def app_on(url: str, model: str):
    """The app with the sidebar pointed at a server (set as the sidebar leaves it: AppTest drops the sidebar on a
    second run)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=300)
    for key, value in {**settings.defaults(), "backend": "openai", "server_url": url, "server_model": model,
                       "settings_loaded": True}.items():
        at.session_state[key] = value
    return at.run()


def test_the_sidebar_says_what_the_server_offers(vllm):
    at = app_on(vllm, "base-model")
    assert not at.exception
    said = [c.value.replace("\\", "") for c in at.sidebar.caption]  # as shown: markdown escapes removed
    assert "vLLM; 1 LoRA adapter(s): viggo; scores options." in said


def test_the_lora_side_by_side_answers_through_the_servers_adapter(vllm):
    at = app_on(vllm, "base-model")
    at.switch_page("pages/lora.py").run()
    at.selectbox(key="lora_adapter").set_value("viggo (on the server)").run()
    at.button(key="lora_generate").click().run()
    assert not at.exception
    base, adapted = recorded(at)[-2:]
    assert base.outputs[0].strip() == "answered by base-model" and adapted.outputs[0].strip() == "answered by viggo"
    sentence = lora.load_pairs(lora.TEST_SETS["real"])[0]["input"]  # the main held-out set
    assert adapted.prompts == [backends.render_messages(lora.messages_for(sentence))]  # what the server was sent
    assert [body["model"] for _, path, body in VLLM.requests if path == "/v1/chat/completions"][-2:] == ["base-model", "viggo"]


def test_option_scoring_on_a_llama_cpp_server_says_it_is_unavailable_and_scores_on_the_bundled_model(llama_cpp,
                                                                                                     chat_model):
    at = app_on(llama_cpp, "base.gguf")
    at.switch_page("pages/few_shot.py").run()
    at.radio(key="fs_method").set_value("options").run()
    at.button(key="fs_answer").click().run()
    assert not at.exception
    assert any("cannot score options" in i.value and "bundled model scores them" in i.value for i in at.info)
    assert sum("answer read:" in c.value for c in at.caption) == 2  # answered all the same
    assert not [path for _, path, _ in LlamaCpp.requests if path != "/v1/models" and path != "/lora-adapters"]
