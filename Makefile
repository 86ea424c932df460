# Two commands do everything, on a fresh machine with python3 (3.10 or newer):
#   make demo   start the local CCE/SMN stand-in, invoke the function with a sample event, show the result
#   make test   lint (ruff, for Python 3.10) and the whole test suite
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
EVENT  ?= tests/events/cts_cluster_upgrade.json
SCENARIO ?= tests/scenarios/demo.json

.PHONY: demo test lint invoke build bench faults clean mutate messages

$(VENV)/.installed: requirements/tools.txt requirements/runtime.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/tools.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

demo: $(VENV)/.installed
	$(PY) -m scripts.invoke $(EVENT) --scenario $(SCENARIO)

invoke: $(VENV)/.installed
	$(PY) -m scripts.invoke $(EVENT) --scenario $(SCENARIO) $(ARGS)

build: $(VENV)/.installed
	$(PY) -m scripts.build --runtime $(or $(RUNTIME),Python3.10)

# the package for this machine's Python, so that the cold start is measured on what is deployed
LOCAL_RUNTIME = $(shell $(PY) -c 'import sys; print("Python3.%d" % sys.version_info.minor)')

bench: $(VENV)/.installed
	$(PY) -m scripts.build --runtime $(LOCAL_RUNTIME)
	$(PY) -m scripts.bench_coldstart --package dist/cce-postcheck-$(LOCAL_RUNTIME).zip
	$(PY) -m scripts.bench_sweep

faults: $(VENV)/.installed
	$(PY) -m scripts.fault_matrix --markdown

# Every kind of message (started, checked, held, reminder, failed) rendered for every SMN protocol, from sample
# results, for reviewers to read (scripts/messages.py; tests/unit/test_messages_limits.py keeps them in limits).
messages: $(VENV)/.installed
	$(PY) -m scripts.messages

lint: $(VENV)/.installed
	$(PY) -m ruff check .

test: lint
	$(PY) -m pytest -q

# Mutation testing of function/postcheck with mutmut, from scratch (about 30-60 minutes; not part of `make test`).
# mutmut 3 derives a mutant's module from its path, "src/" dropped: src -> function makes it postcheck.*, as the
# tests import it (function/ itself then holds only index.py). docs/mutation-testing.md explains it and lists the
# surviving mutants.
# The stand-in tests mostly wait (sockets, backoffs), so four mutants per CPU keep the CPUs busy.
# MUTANTS='postcheck.notification.*' tests only those mutants (all are still generated; no score check).
MUTATE_JOBS ?= $(shell echo $$((4 * $$(nproc 2>/dev/null || echo 2))))

mutate: $(VENV)/.installed
	test -L src || ln -s function src
	rm -rf mutants
	mkdir -p mutants/function mutants/docs
	CI=true $(VENV)/bin/mutmut run --max-children $(MUTATE_JOBS) $(if $(MUTANTS),'$(MUTANTS)')
	$(PY) -m scripts.mutation_report $(if $(MUTANTS),--no-check)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis dist build
