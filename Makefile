# `make build`: set up, validate, regenerate the exports, load them back.
# `make test`:  set up, run every test (the Doccano tests start their own server).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CLI    := $(VENV)/bin/newsspans
STAMP  := $(VENV)/.installed

.PHONY: setup build test validate clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

validate: setup
	$(CLI) validate --root .

build: validate
	$(CLI) export --root .
	$(CLI) check-load --root .

test: setup
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
