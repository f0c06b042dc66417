# Two entry points for a fresh machine: `make run` (the whole benchmark on the
# embedded default data) and `make test` (the test suite). Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2
CONFIG ?= config/config.yaml

.PHONY: run test lint report env bench
env: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

run: env
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/snakemake --profile profiles/local --cores $(CORES) --configfile $(CONFIG)
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/snakemake --profile profiles/local --cores $(CORES) --configfile $(CONFIG) --report results/report.html

# The checks that keep the tree formatted, linted and typed; `make test` runs them before the suite.
lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check workflow
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/snakemake --lint --configfile config/config.yaml
	$(BIN)/mypy

# Two workers, one test file each at a time: the long tests wait on subprocesses (Snakemake, Slurm) much of the time.
test: lint
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/pytest -n $(CORES) --dist loadfile

# The reference of every config key, rendered from the schema (tests/test_config_reference.py keeps them equal).
config/README.md: src/ambs/config.schema.yaml src/ambs/config_reference.py | env
	$(BIN)/python -m ambs.config_reference > $@

# Side-by-side benchmarks (bench/, results in docs/performance.md); adds the `bench` extra (PyTorch, CPU).
bench: $(VENV)/.installed-bench
	bash bench/run_all.sh

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test,bench]"
	touch $@
