# Two entry points for a fresh machine: `make run` (the whole benchmark on the
# embedded default data) and `make test` (the test suite). Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2
CONFIG ?= config/config.yaml

.PHONY: run test lint report env bench images
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
	$(BIN)/lint-imports

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

# Apptainer images of the rules (containers/*.def, see the README), rebuilt only when their definition, the
# pins or the package changed. Apptainer is the system's, or else the one containers/setup-apptainer.sh installs
# (Debian, as root); builds share a pip cache and pass the host's CA bundle (for proxies that re-sign TLS).
IMAGE_CACHE ?= $(HOME)/.cache/ambs-images
APPTAINER ?= $(or $(shell command -v apptainer),$(CURDIR)/containers/bin/apptainer)
# README.md goes into the image too, as the package description only: editing it rebuilds nothing.
IMAGE_INPUTS := pyproject.toml constraints.txt $(shell find src -name __pycache__ -prune -o -type f -print)

images: containers/ambs-cpu.sif containers/ambs-gpu.sif

containers/ambs-gpu.sif: envs/requirements-gpu.txt

containers/%.sif: containers/%.def $(IMAGE_INPUTS)
	$(if $(filter $(CURDIR)/containers/bin/apptainer,$(APPTAINER)),containers/setup-apptainer.sh)
	mkdir -p $(IMAGE_CACHE)/pip
	if [ -f /etc/ssl/certs/ca-certificates.crt ]; then cp /etc/ssl/certs/ca-certificates.crt $(IMAGE_CACHE)/ca.crt; fi
	nice $(APPTAINER) build --force --bind $(IMAGE_CACHE):/mnt $@.part $<
	mv $@.part $@
