# `make build`: set up, validate, regenerate every generated file (`newsspans build`:
#               exports, card, croissant.json, statistics, docs/ pages), load them back.
# `make test`:  set up, check every generated file is fresh (`newsspans build --check`),
#               run every test (the Doccano tests start their own server).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CLI    := $(VENV)/bin/newsspans
STAMP  := $(VENV)/.installed

.PHONY: setup build test validate clean

$(STAMP): pyproject.toml hatch_build.py src/newsspans/_fastcheck.c
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

build: setup
	$(CLI) build --root .

test: setup browser postgresql
	$(CLI) build --check --root .
	$(PY) -m pytest

# Debian's PostgreSQL, for the Doccano tests on PostgreSQL (a private cluster in each test's
# state folder; the system's own cluster is never started). Where it cannot be installed
# (not root, no apt-get) the tests on PostgreSQL are skipped and say why.
.PHONY: postgresql
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql; \
	  else echo "PostgreSQL is not installed: its Doccano tests will be skipped (apt-get install postgresql)"; fi; fi

.PHONY: browser docs
# Debian's Chromium and its driver, for the browser tests: never a browser downloaded at run time.
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; fi

# The HTML view (docs/, also written by `make build`) and the README's screenshot of the
# seed article (not part of build: Chromium's pixels are not reproducible byte for byte).
docs: setup browser
	$(CLI) render --root .
	$(CLI) screenshot --root . documents/afp-20240619-putin-kim-defence-treaty.html docs/screenshot.png

# The README's screenshot of Doccano's annotation page (a real local server, the seed
# labelled by an annotator), written by the browser test.
.PHONY: doccano-screenshot
doccano-screenshot: setup browser
	NEWSSPANS_DOCCANO_SCREENSHOT=docs/doccano-annotation.png $(PY) -m pytest -q tests/doccano/test_doccano_browser.py

# Corpus-scale benchmark against floors measured in the same run (bench/run.py):
# `make bench` runs N = 2,000 and 10,000 documents, `make bench DOCS=N` one size.
.PHONY: bench
bench: setup
	$(PY) bench/run.py $(if $(DOCS),--docs $(DOCS),--docs 2000 --docs 10000)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
