"""A tiny-config tier: SmolLM2's architecture and tokenizer at a few million random weights, for the loops whose
correctness does not depend on what the model knows (training loss, adapter switching, thread safety).

Built in a second from a config, the way peft's own tests do, so those tests run in seconds instead of minutes;
the lessons that depend on the real model stay on the real model (see conftest.py).
"""

from pathlib import Path


def tiny_model(folder: Path) -> Path:
    """Save a 2-layer, 64-wide Llama with the bundled model's tokenizer and special tokens to `folder`."""
    import torch
    from transformers import AutoConfig, AutoTokenizer, LlamaForCausalLM

    from lib import models

    models.ensure_converted()
    real = str(models.converted_dir())
    config = AutoConfig.from_pretrained(real)
    config.update({"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
                   "num_key_value_heads": 2, "head_dim": 16})
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(real).save_pretrained(folder)
    return folder


def random_adapter(base: Path, folder: Path, targets: tuple[str, ...] = ("q_proj", "v_proj")) -> Path:
    """A LoRA adapter with random A and B (peft starts B at zero, which would change nothing), saved to `folder`."""
    import torch
    from peft import LoraConfig, get_peft_model

    from lib import models

    model, _ = models.load_causal_lm(str(base))
    torch.manual_seed(1)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=list(targets), init_lora_weights=False)
    get_peft_model(model, config).save_pretrained(folder)
    return folder
