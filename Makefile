# Every target creates .venv/ by itself on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck pytest demo bench layer simulate-cloudbasic simulate-capella clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy
	@# Each function folder holds its own handler module; check them one by one (they share module names).
	@for dir in functions/*/; do \
		[ -f "$$dir/app.py" ] || continue; \
		MYPYPATH=layers/provider $(BIN)/mypy --strict --ignore-missing-imports "$$dir/app.py" || exit 1; \
	done

pytest: $(STAMP)
	$(BIN)/pytest -n 2

demo: $(STAMP)
	$(BIN)/cbctl demo

bench: $(STAMP)
	$(BIN)/python -m bench

# The layer as `sam build` makes it (layers/provider/Makefile), into .aws-sam/layer/python.
layer:
	$(MAKE) -C layers/provider build-ProviderLayer ARTIFACTS_DIR=$(CURDIR)/.aws-sam/layer

simulate-cloudbasic: $(STAMP)
	$(BIN)/cbctl simulate cloudbasic --port 8082

simulate-capella: $(STAMP)
	$(BIN)/cbctl simulate capella --port 8083

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .aws-sam
