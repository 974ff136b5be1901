# Analyse G40 annual reports. `make extract` and `make test` set everything up on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV ?= .venv
BIN = $(VENV)/bin
CORPUS ?= corpus
OUT ?= outputs
SPACY_MODEL ?= nl_core_news_sm

.DEFAULT_GOAL := help

# setuptools explains at length how an editable install of this layout works (`models/` ships as
# `pipeline.models`); that note is information, not a problem, so the set-up does not print it.
$(BIN)/g40: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/g40

## Set up the virtual environment from pyproject.toml (pinned versions)
install: $(BIN)/g40

## Run the main job: every PDF in CORPUS (default corpus/) to tables, report.html, run.json and datapackage.json in OUT (default outputs/)
extract: install
	$(BIN)/g40 extract --corpus $(CORPUS) --out $(OUT) --spacy-model $(SPACY_MODEL)

## Compare the years in the tables in OUT (written by extract) again into OUT/comparison.csv, and rebuild the report
compare: install
	$(BIN)/g40 compare --out $(OUT)

## Rebuild OUT/report.html and OUT/datapackage.json from the tables in OUT (make extract writes them too)
report: install
	$(BIN)/g40 report --out $(OUT)

## Regenerate models/entities.csv and models/patterns/<family>/gazetteer.jsonl from models/gazetteers/
patterns: install
	$(BIN)/python scripts/build_patterns.py

## Train the theme classifier on CORPUS and save it with its model card in models/
train: install
	$(BIN)/g40 train --corpus $(CORPUS)

## Score entities, themes and lobbying acts against the hand-made gold standard (tests/gold/) into OUT/evaluation.csv
evaluate: install
	$(BIN)/g40 evaluate --out $(OUT) --spacy-model $(SPACY_MODEL)

## Measure start-up, every stage, the whole command and how cost grows (3 runs) into outputs/bench*.csv, and rewrite README.md's benchmark tables from them
bench: install
	$(BIN)/python scripts/bench.py --runs 3
	$(BIN)/python scripts/bench.py --readme

## Screenshots of OUT/report.html at 1280 and 390 px wide into docs/ (the pictures in the README; needs chromium)
screenshots: install
	$(BIN)/python scripts/screenshots.py --out $(OUT)

## Run the test suite (unit, then integration) with the coverage floor of pyproject.toml
test: install
	$(BIN)/python -m pytest -q --cov --cov-report=term

## Lint (ruff, with docstring and line-length rules), type-check (mypy) and check the import contracts (no cycles)
lint: install
	$(BIN)/ruff check pipeline tests scripts
	$(BIN)/mypy pipeline
	$(BIN)/lint-imports

## Install the statistical Dutch spaCy model (needs internet access to the spaCy model releases)
spacy-model: install
	$(BIN)/python -m spacy download $(SPACY_MODEL)

## List the targets
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z-]+:/{if(doc){split($$0,t,":"); printf "  %-12s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

.PHONY: install extract compare report bench patterns train evaluate screenshots test lint spacy-model help
