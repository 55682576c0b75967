# zhaocuo — the two commands: `make demo` and `make test` (everything else installs itself).
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEBS  := chromium dnsmasq

.PHONY: install system demo test lint bench bench-crawl bench-text bench-render bench-real clean

install: system $(STAMP)

# Debian packages the tests and the renderer need, installed only when missing.
system:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	# The CPU build of torch (on this machine's disk); a plain `torch` would pull a CUDA build.
	$(VENV)/bin/pip install -q torch==2.13.0
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: install
	$(PY) -m demo.run

# ruff, and import-linter's layer contract (pyproject.toml [tool.importlinter]): an import that
# crosses a layer (a stage importing another stage or the application, the core importing a stage) fails.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: lint
	$(VENV)/bin/pytest -q

bench: bench-crawl bench-text bench-render bench-real

bench-crawl: install
	$(PY) bench/crawl_bench.py

bench-text: install
	$(PY) bench/text_bench.py

bench-render: install
	$(PY) bench/render_bench.py

# Audits on real government pages (../shared/realpages; skipped with one line when absent).
bench-real: install
	$(PY) bench/real_bench.py

clean:
	rm -rf $(VENV) demo-out .pytest_cache .ruff_cache
