# Two commands do everything, on a fresh machine with python3 (3.10 or newer):
#   make demo   start the local CCE/SMN stand-in, invoke the function with a sample event, show the result
#   make test   lint (ruff, for Python 3.10) and the whole test suite
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
EVENT  ?= tests/events/cts_cluster_upgrade.json
SCENARIO ?= tests/scenarios/demo.json

.PHONY: demo test lint invoke clean

$(VENV)/.installed: requirements/runtime.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

demo: $(VENV)/.installed
	$(PY) -m scripts.invoke $(EVENT) --scenario $(SCENARIO)

invoke: $(VENV)/.installed
	$(PY) -m scripts.invoke $(EVENT) --scenario $(SCENARIO) $(ARGS)

lint: $(VENV)/.installed
	$(PY) -m ruff check .

test: lint
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis dist build
