"""The one Streamlit-aware part of lib/, by job:

- `shared`: what every session shares, once per process — the models, the scheduler, the training queue;
- `choice`: which backend answers — this session's sidebar settings and the backends pages set beside it;
- `answers`: answers drawn into a page, taking turns, and kept in the session's notebook.

Pages import this package and call what they need from it (`runtime.stream_answer`, `runtime.bundled_backend()`).
Models load once per process and are only read while generating, so every session can share them; per-user data
never lives here but in `st.session_state`; every heavy call takes turns on `scheduler()`.
"""

from lib.runtime.answers import (MAX_MESSAGE_CHARS, record, record_answers, run_in_turns, run_queued,
                                 session_notebook, stream_answer)
from lib.runtime.choice import (SERVER_ADAPTER, adapter_backend, adapter_choices, backend, backend_for,
                                bundled_backend, engine_name, generation_settings, pretrained_backend,
                                sending_backend, server_backend, server_offer, server_unconfirmed, session_adapters,
                                settings, shown_backend)
from lib.runtime.shared import (USER_ERRORS, bundled_model, embeddings, fast_model, lora_server, owner,
                                pretrained_base, sample_index, scheduler, server_for, start_warm_ups,
                                training_queue)

__all__ = ["MAX_MESSAGE_CHARS", "SERVER_ADAPTER", "USER_ERRORS", "adapter_backend", "adapter_choices", "backend",
           "backend_for", "bundled_backend", "bundled_model", "embeddings", "engine_name", "fast_model",
           "generation_settings", "lora_server", "owner", "pretrained_backend", "pretrained_base", "record",
           "record_answers", "run_in_turns", "run_queued", "sample_index", "scheduler", "sending_backend",
           "server_backend", "server_for", "server_offer", "server_unconfirmed", "session_adapters",
           "session_notebook", "settings", "shown_backend", "start_warm_ups", "stream_answer", "training_queue"]
