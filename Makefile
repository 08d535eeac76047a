# Every target creates .venv itself: on a fresh machine `make serve` or `make test` is enough.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test check bench clean lint browsers pdf publish

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/mdcite export --dir docs
	-$(BIN)/mdcite check
	$(BIN)/mkdocs serve --dev-addr $(HOST) --livereload

build: $(STAMP)
	$(BIN)/mdcite build

# The PDF edition of the whole site, from the built HTML: site/treaty-guide.pdf.
pdf: build
	$(BIN)/python scripts/pdf.py --site site --out site/treaty-guide.pdf

# Exactly what is deployed: the living site, every edition tag (vYYYY.MM) under
# editions/YYYY-MM/, and the PDFs; each edition is built from its own tagged sources.
publish: $(STAMP)
	$(BIN)/python scripts/publish.py --out public

check: $(STAMP)
	$(BIN)/mdcite check
	$(BIN)/ruff check scripts tests

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m mdcite.bench

clean:
	rm -rf site site.tmp-* public public.tmp-* .pytest_cache bench/work docs/references.bib docs/references.json docs/references.ris
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
