# The one interface to the project: `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)
# No network at run time: models load from installed packages only.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 2

MODEL := models/patient.tar.gz
CODER := models/coder/meta.json
GENERATED_INPUTS := $(shell find scenarios corpus bot/tools/build.py -type f 2>/dev/null)
MODEL_INPUTS := config.yml $(shell find bot/domain data -type f 2>/dev/null)
# Corrections files to train on as well (space-separated .jsonl paths): supervisors'
# corrections exported by the app, or coded transcripts you downloaded or coded yourselves,
# converted by `python -m scoring import-coded IN.csv OUT.jsonl` (AnnoMI-full.csv's format or
# the evaluation format). Keep it set, e.g. in the environment, or the next retrain leaves
# them out.
CODER_ADD ?=
$(foreach f,$(CODER_ADD),$(if $(wildcard $(f)),,$(error CODER_ADD: no such corrections file: $(f))))
# The session report (figures, strengths, suggestions, safety notes, off-task turns), the
# reliability card and the importer of coded transcripts never shape the codes (the
# importer's output does, through CODER_ADD): editing them must not retrain.
CODER_INPUTS := $(filter-out scoring/report.py scoring/globals.py scoring/reliability.py \
	scoring/session.py scoring/strengths.py scoring/suggest.py scoring/safety.py \
	scoring/offtask.py scoring/training/coded.py scoring/calibration.py \
	scoring/training/calibrate.py,\
	$(shell find corpus scoring -type f \( -name '*.yml' -o -name '*.py' \) 2>/dev/null))

.PHONY: help setup data train coder run test test-fast lint format bench bench-scoring calibrate reliability-card bench-patient fit-talk-table system-deps lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

setup: $(STAMP) ## create .venv on Python 3.10 and install the locked dependencies
$(STAMP): requirements.lock scripts/setup_venv.sh scripts/find_python.sh
	scripts/setup_venv.sh
	touch $@

data: $(STAMP) ## regenerate Rasa training data from corpus/ and scenarios/ (writes only what changed)
	$(PY) -m bot.tools.build

train: $(MODEL) ## train the Rasa model, only when data, domain, config or scenarios changed
$(MODEL): $(STAMP) $(GENERATED_INPUTS) $(MODEL_INPUTS)
	$(PY) -m bot.tools.build
	$(PY) -m rasa data validate --domain bot/domain --data data --config config.yml --fail-on-warnings
	$(PY) -m rasa train --domain bot/domain --data data --config config.yml --out models --fixed-model-name patient
	@# rasa skips training when its own fingerprint matches; the touch keeps make from asking again.
	touch $@

coder: $(CODER) ## train the behaviour coder from corpus/ (a few minutes); CODER_ADD="a.jsonl ..." adds corrections or imported coded transcripts
$(CODER): $(STAMP) $(CODER_INPUTS) $(CODER_ADD)
	$(PY) -m scoring train $(addprefix --add ,$(CODER_ADD))

run: train coder ## set up, train if needed, start Rasa, actions and the app, print the URL (Ctrl-C stops all)
	$(PY) scripts/run.py

system-deps: ## install Debian's chromium and poppler-utils for the browser and PDF tests (needs root or sudo)
	scripts/install_system_deps.sh

lint: $(STAMP) ## ruff and mypy
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(STAMP) ## apply ruff's fixes and formatting
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test: $(STAMP) coder system-deps deploy-deps lint ## set up what is missing, then run the whole suite
	$(PY) -m pytest

test-fast: $(STAMP) ## the suite without the end-to-end and browser tests
	$(PY) -m pytest -m "not e2e and not browser"

bench-scoring: $(STAMP) coder ## code the AnnoMI development split: agreement and speed; then a coder trained on it, by grouped CV
	$(PY) benchmarks/scoring_bench.py --json results/scoring_bench.json
	$(PY) benchmarks/scoring_dev_cv.py --json results/scoring_dev_cv.json

calibrate: $(STAMP) coder ## refit scoring/calibration.json (the pressure threshold) on the AnnoMI dev split (commit it)
	$(PY) -m scoring calibrate

reliability-card: $(STAMP) coder ## measure the coder as bench-scoring does and write scoring/reliability.json (commit it)
	$(PY) benchmarks/scoring_bench.py --passes 1 --card scoring/reliability.json

bench-patient: train coder ## patients: scripts, AnnoMI replay, REST latency, probes, talk dynamics vs real clients, intent routing
	$(PY) benchmarks/patient_bench.py --json results/patient_bench.json
	$(PY) benchmarks/client_dynamics.py --json results/client_dynamics.json
	$(PY) benchmarks/intent_routing.py --json results/intent_routing.json

fit-talk-table: $(STAMP) coder ## refit bot/patient/talk_table.json on the AnnoMI dev split (commit it)
	$(PY) benchmarks/client_dynamics.py --fit --limits --json results/client_dynamics.json

bench: bench-scoring bench-patient bench-load ## every benchmark

lock: $(STAMP) ## re-resolve dependencies into requirements.lock
	scripts/lock.sh

clean: ## remove trained models and runtime state (keeps .venv)
	rm -rf models results var .pytest_cache .mypy_cache .ruff_cache

.PHONY: deploy-deps test-deploy bench-load bench-first-start

bench-first-start: $(STAMP) ## time a fresh clone's first `make run` and a warm restart (several minutes, 8 GB)
	$(PY) benchmarks/first_start.py --json results/first_start.json

deploy-deps: $(STAMP) ## install Debian's postgresql, redis-server and nginx if missing (needs root)
	$(PY) -c "from deploy.backing import ensure_installed; ensure_installed()"

test-deploy: $(STAMP) deploy-deps ## bad input, faults and the two-instance PostgreSQL+Redis set-up behind nginx
	$(PY) -m pytest tests/bad_input tests/deploy

bench-load: train coder deploy-deps ## 50 trainees x 20 turns on loopback, single and two-instance set-ups
	$(PY) benchmarks/load_bench.py --json results/load_bench.json
