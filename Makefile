# The two commands of the README:
#   make demo   set up a virtual environment, install ipkg, run the main job on the sample corpus
#   make test   set up the same environment and run the whole test suite (ruff included)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test setup bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: setup
	$(BIN)/ipkg demo

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench.extract_speed

clean:
	rm -rf out build *.egg-info .pytest_cache .ruff_cache
