# Two set-up commands do everything on a fresh machine: `make test` and `make demo`.
# torch is pinned here (the local CPU build); pyproject.toml states the compatible range.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
TORCH  := torch==2.13.0
STAMP  := $(VENV)/.installed

.PHONY: test demo install bench clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# setuptools in the venv itself: the sandbox tests build a regular (non-editable) install offline
	$(PY) -m pip install -q 'setuptools>=70.1'
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider

demo: $(STAMP)
	$(PY) -m grader.demo

bench: $(STAMP)
	$(PY) bench/sandbox.py
	$(PY) bench/memory.py
	$(PY) bench/training.py --class

clean:
	rm -rf $(VENV) demo-out .hypothesis
