# medsupply — two commands: `make serve` and `make test`. Everything else is a step they need.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve test install browser data bench rules-table clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: medsupply needs Python 3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Serve the HTTP API on the embedded default dataset (loaded into the store on first start).
serve: $(STAMP)
	$(BIN)/medsupply serve --host $(HOST) --port $(PORT)

## Headless Chromium and its driver for the page tests (Debian packages; root on CI machines).
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	      || echo "warning: could not install chromium; page tests will be skipped"; \
	  else echo "warning: not root, chromium not installed; page tests will be skipped"; fi; \
	fi

## Set up and run the whole test suite.
test: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 -q --durations=25

## Rebuild the committed default dataset from ../shared/data/raw (reproducible).
data: $(STAMP)
	$(BIN)/python -m data.build

## Scale benchmarks (not part of `make test`): see bench/README.md.
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.run

## Regenerate docs/RULES.md: each rule, its article and its worked examples.
rules-table: $(STAMP)
	$(BIN)/medsupply rules-table --output docs/RULES.md

clean:
	rm -rf $(VENV) .medsupply-store .pytest_cache
