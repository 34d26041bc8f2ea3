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

# The annotations against annotations/GUIDELINES.md (section 6).
.PHONY: lint
lint: setup
	$(CLI) lint --root .

build: validate
	$(CLI) export --root .
	$(CLI) stats --write --root .
	$(CLI) check-load --root .

test: setup browser
	$(PY) -m pytest

.PHONY: browser docs
# Debian's Chromium and its driver, for the browser tests: never a browser downloaded at run time.
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; fi

# The HTML view (docs/) and the README's screenshot of the seed article.
docs: setup browser
	$(CLI) render --root .
	$(CLI) screenshot --root . documents/afp-20240619-putin-kim-defence-treaty.html docs/screenshot.png

# Corpus-scale benchmark against floors measured in the same run (bench/run.py):
# `make bench` runs N = 2,000 and 10,000 documents, `make bench DOCS=N` one size.
.PHONY: bench
bench: setup
	$(PY) bench/run.py $(if $(DOCS),--docs $(DOCS),--docs 2000 --docs 10000)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
