# Vigie — two commands do all the set-up on a fresh machine:
#   make demo   installs, loads the demo portfolio, serves the web UI and API on http://127.0.0.1:8000
#   make test   installs and runs the whole test suite (lint, architecture contracts, tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
APT_PACKAGES := tesseract-ocr tesseract-ocr-fra

.PHONY: install system-deps demo serve test lint bench clean

install: system-deps $(STAMP)

# OCR of scanned pages needs tesseract with French data; the virtualenv needs ensurepip (python3-venv).
system-deps:
	@if ! $(PYTHON) -c "import ensurepip" >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	  else \
	    echo "ATTENTION : le module venv de Python manque. Installez-le avec : sudo apt-get install python3-venv"; \
	  fi; \
	fi
	@if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx fra; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installation de tesseract (OCR, français)…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	  else \
	    echo "ATTENTION : tesseract (OCR) manque ; les pages scannées ne seront pas lues."; \
	    echo "  Installez-le avec : sudo apt-get install $(APT_PACKAGES)"; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/vigie demo

serve: install
	$(BIN)/vigie serve

lint: install
	$(BIN)/ruff check ingest nlp search api models tests bench demo
	$(BIN)/lint-imports
	$(BIN)/mypy ingest nlp search api models
	$(BIN)/python demo/build_demo.py --check

test: install lint
	$(BIN)/pytest -q

bench: install
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/analysis.py
	$(BIN)/python bench/scan.py
	$(BIN)/python bench/daily_scan.py --contracts 200 --incidents 1000 --letters 1000
	$(BIN)/python bench/search.py --clauses 100000

clean:
	rm -rf $(VENV) var .pytest_cache
