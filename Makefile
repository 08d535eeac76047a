# Every target creates .venv itself: on a fresh machine `make serve` or `make test` is enough.
# `make serve` and `make build` install only what building the site needs; `make test` the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
# mkdocs (what we publish) or zensical: `make build GENERATOR=zensical`, `make serve GENERATOR=zensical`.
GENERATOR ?= mkdocs
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test check bench clean lint browsers pdf publish

# The engine and the generator: what serving and building need.
$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUNTIME)

$(VENV)/.generator-mkdocs: $(RUNTIME)
	touch $@

$(VENV)/.generator-zensical: $(RUNTIME)
	$(BIN)/pip install --quiet -e '.[zensical]'
	touch $@

$(VENV)/.lint: $(RUNTIME)
	$(BIN)/pip install --quiet -e '.[lint]'
	touch $@

# Everything the tests need (browsers, lychee, Zensical, ruff…).
$(STAMP): $(RUNTIME)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The same checks as `make check`, then the generator's server; downloads refresh on change.
serve: $(VENV)/.generator-$(GENERATOR)
	$(BIN)/mdcite serve --generator $(GENERATOR) --dev-addr $(HOST)

# The same checks as `make check`, then the strict build into site/.
build: $(VENV)/.generator-$(GENERATOR)
	$(BIN)/mdcite build --generator $(GENERATOR)

$(VENV)/.pdf: $(RUNTIME)
	$(BIN)/pip install --quiet -e '.[pdf]'
	touch $@

# The PDF edition of the whole site, from the built HTML: site/treaty-guide.pdf.
pdf: build $(VENV)/.pdf
	$(BIN)/python scripts/pdf.py --site site --out site/treaty-guide.pdf

# Exactly what is deployed: the living site, every edition tag (vYYYY.MM) under
# editions/YYYY-MM/, and the PDFs; each edition is built from its own tagged sources.
publish: $(VENV)/.pdf $(VENV)/.generator-$(GENERATOR)
	$(BIN)/python scripts/publish.py --out public

check: $(VENV)/.lint
	$(BIN)/mdcite check
	$(BIN)/ruff check scripts tests

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench

clean:
	rm -rf site site.tmp-* public public.tmp-* .cache .pytest_cache bench/work docs/references.bib docs/references.json docs/references.ris
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
