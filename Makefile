# minutebook: `make demo` and `make test` each set up everything they need on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MB := $(VENV)/bin/minutebook
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test test-fast check bench clean-index

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "minutebook needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first and pinned, so nothing pulls a GPU build
	$(PY) -m pip install --quiet -c constraints.txt torch==2.13.0
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Scanned pages are read by the tesseract program (Debian: tesseract-ocr, tesseract-ocr-eng).
# As root it is installed with apt-get; otherwise this says how and carries on, and scanned
# pages are reported as "needs OCR" until it is installed (README: Scanned papers).
OCR_STAMP := $(VENV)/.ocr-stamp
OCR_PACKAGES ?= tesseract-ocr tesseract-ocr-eng

$(OCR_STAMP): | $(STAMP)
	@if ! (command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx eng); then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing OCR: apt-get install $(OCR_PACKAGES)"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_PACKAGES) >/dev/null) \
				|| echo "OCR: apt-get could not install $(OCR_PACKAGES)" >&2; \
		fi; \
	fi
	@if command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx eng; then \
		echo "OCR: $$(tesseract --version 2>&1 | head -n 1)"; touch $(OCR_STAMP); \
	else \
		echo "OCR: tesseract is not installed, so scanned pages will be reported as 'needs OCR'." >&2; \
		echo "     Install it (as root): apt-get install $(OCR_PACKAGES); see README, Scanned papers." >&2; \
	fi

install: $(STAMP) $(OCR_STAMP)

demo: install
	$(MB) index corpus
	@if [ -t 0 ] && [ -t 1 ]; then \
		$(MB) tui; \
	else \
		echo; echo '$$ minutebook search "what was said about caseloads?"'; \
		$(MB) search "what was said about caseloads?" --top-k 5; \
		echo; echo '$$ minutebook ask "what was said about caseloads?"'; \
		$(MB) ask "what was said about caseloads?"; \
	fi

test: install
	$(PY) -m pytest -q

# House rules: lint (ruff), types (mypy on src/ and tui/), import contracts (import-linter, see pyproject.toml).
check: install
	$(VENV)/bin/ruff check src tui tests bench
	$(VENV)/bin/mypy
	PYTHONPATH=src:tui $(VENV)/bin/lint-imports

test-fast: install
	$(PY) -m pytest -q -m "not slow"

bench: install
	$(PY) bench/run.py

clean-index:
	rm -f index/minutebook.sqlite* index/vectors-*
