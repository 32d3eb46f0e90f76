# Two commands for a fresh machine:  make serve  (build and preview)  ·  make test  (all tests)
# Both create .venv and install what they need. Other targets: build, check, publish, lint, clean.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the browser tests need: Chromium itself, CJK fonts to render Chinese, and
# poppler-utils to turn the print tests' PDFs into text and PNG pages; nginx-light, the web
# host the publishing tests serve the published site with (its nginx has gzip_static). Java, for
# the Nu HTML Checker, is any `java` on the PATH, else Debian's default-jre-headless.
TEST_DEBS := chromium fonts-noto-cjk poppler-utils nginx-light

.PHONY: serve build check publish test lint format clean test-system-deps

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The Node tools the tests run (axe-core, Lighthouse, the Nu HTML Checker vnu.jar), exactly as
# locked. They drive Debian's Chromium and Java; none of them downloads a browser or a Java of its
# own (--ignore-scripts: vnu-jar's install script would fetch a JRE from GitHub).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Installing Debian packages: nodejs npm"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

serve: $(BIN)/.installed
	$(BIN)/invoke serve

build: $(BIN)/.installed
	$(BIN)/invoke build

check: $(BIN)/.installed
	$(BIN)/invoke check

# make publish SITEURL=https://archive.example.org [TARGET=/srv/www/archive]  (default public/)
# [BACKUP_EXISTING=1]: a target the publish did not make is moved to <target>.backup-<time>
publish: $(BIN)/.installed
	$(BIN)/invoke publish $(if $(TARGET),--target "$(TARGET)") $(if $(SITEURL),--siteurl "$(SITEURL)") $(if $(BACKUP_EXISTING),--backup-existing)

test-system-deps:
	@missing=""; for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test: $(BIN)/.installed-test node_modules/.installed test-system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest --numprocesses=auto --maxprocesses=4 --dist=loadfile -m "not alone"
	$(BIN)/pytest -m alone

lint: $(BIN)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf output public .build .pytest_cache
