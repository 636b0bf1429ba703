"""The lab's logic, free of UI code (except `runtime/`, which holds the Streamlit caches, the session's choices and the drawing of answers)."""

import os

# Nothing in the lab reaches a hub at run time unless started with LLM_LAB_ONLINE=1 (see backends.py);
# set before transformers or huggingface_hub is imported, since both read it once.
if os.environ.get("LLM_LAB_ONLINE") != "1":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
