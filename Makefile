# Two commands on a fresh machine (Debian 12, Python 3.11):
#   make run    - install what the app needs and open it on the synthetic demo cohort
#   make test   - install everything (incl. Debian's chromium) and run the whole test suite
# Also: make bench (speed and memory figures), make data (regenerate the demo files).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test bench data chromium

# The compiled kernels (Cox, permutation test) are built once here, not on a clinician's first click.
WARM_UP := import recur; d = recur.load_cohort("data/demo_nsclc_synthetic.csv").data; \
	recur.cox(d, "os_months", "os_event", ["age"]); \
	recur.cutpoint_scan(d, "os_months", "os_event", "age", pmethods=("permutation",), n_perm=99)

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -c '$(WARM_UP)'
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; }

run: $(VENV)/.runtime
	$(VENV)/bin/streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev chromium
	$(PY) -m pytest

bench: $(VENV)/.dev
	$(PY) -m bench.run

data: $(VENV)/.runtime
	$(PY) -m recur.demo
