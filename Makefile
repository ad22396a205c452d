# Every target creates .venv/ by itself on a fresh machine, with the Python that the functions run in Lambda
# (template.yaml's Runtime; layers/provider/Makefile builds the layer for the same version), so the tests and CI
# run on the deployed version. pyenv's shims answer only for the active version: an installed pyenv interpreter
# is preferred by its path, then python3.13 on PATH. `make PYTHON=/path/to/python` overrides both.
RUNTIME_PYTHON := 3.13
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/$(RUNTIME_PYTHON).*/bin/python$(RUNTIME_PYTHON)) \
	$(shell command -v python$(RUNTIME_PYTHON) 2>/dev/null))
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck pytest docs demo bench layer simulate-cloudbasic simulate-capella package clean

# The package declares version ranges; constraints.txt pins what the tests run with. The operator CLI is
# not part of the package: .venv/bin/cbctl runs it from this checkout.
$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "No Python $(RUNTIME_PYTHON) found (the functions' runtime): install it" \
		"(pyenv install $(RUNTIME_PYTHON), or your system's python$(RUNTIME_PYTHON) package) or name one with" \
		"make PYTHON=/path/to/python$(RUNTIME_PYTHON)" >&2; exit 2; }
	@$(PYTHON) -c 'import sys; v = "%d.%d" % sys.version_info[:2]; v == "$(RUNTIME_PYTHON)" or print( \
		"warning: $(PYTHON) is Python " + v + "; the functions run $(RUNTIME_PYTHON)", file=sys.stderr)'
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[aws,dev]'
	printf '#!/bin/sh\nPYTHONPATH="%s$${PYTHONPATH:+:$$PYTHONPATH}" exec "%s/$(BIN)/python" -m cbctl "$$@"\n' \
		"$(CURDIR)" "$(CURDIR)" > $(BIN)/cbctl
	chmod +x $(BIN)/cbctl
	touch $(STAMP)

test: lint typecheck pytest docs

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
	$(BIN)/python -m demo

bench: $(STAMP)
	$(BIN)/python -m bench

# The layer as `sam build` makes it (layers/provider/Makefile), into .aws-sam/layer/python.
layer:
	$(MAKE) -C layers/provider build-ProviderLayer ARTIFACTS_DIR=$(CURDIR)/.aws-sam/layer

simulate-cloudbasic: $(STAMP)
	$(BIN)/cbctl simulate cloudbasic --port 8082

simulate-capella: $(STAMP)
	$(BIN)/cbctl simulate capella --port 8083

# The documentation site into site/ (mkdocs-material, --strict: a broken link or marker fails the build).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --quiet

# sdist and wheel of the client library into dist/, checked by twine (metadata and README rendering).
package: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	@# setuptools leaves its egg-info next to the package: keep it out of the Lambda layer's folder.
	rm -rf build layers/provider/*.egg-info
	$(BIN)/twine check --strict dist/*

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .aws-sam dist build site
