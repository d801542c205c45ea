# readcast: `make demo` builds the bundled show, `make test` runs the tests. Both set up first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup demo test test-fast lint system-deps bench golden serve clean distclean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# bytecode once, so every `readcast` start does not recompile the package
	$(BIN)/python -m compileall -q pipeline
	touch $(STAMP)

demo: setup
	$(BIN)/readcast build

test: setup
	$(BIN)/python -m pytest -q

# everything but the real neural voice, the browser and the clients: well under a minute
test-fast: setup
	$(BIN)/python -m pytest -q -m "not e2e and not slow and not voice"

# types (mypy, check_untyped_defs) and lint (ruff): the rules are in pyproject.toml
lint: setup
	$(BIN)/python -m mypy
	$(BIN)/python -m ruff check

# real podcast and browser clients, an SSH server to publish to, and a second MP3 decoder (mpg123),
# for the end-to-end tests (Debian; run as root)
system-deps:
	apt-get update -q || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends gpodder chromium openssh-server mpg123

bench: setup
	$(BIN)/python bench/bench.py

# regenerate the golden scripts after an intended change to the script stage
golden: setup
	$(BIN)/python -m tests.golden
	$(BIN)/python -m tests.golden --site

serve: setup
	$(BIN)/readcast serve

clean:
	rm -rf scripts/*.txt audio/episodes feed/* .readcast

distclean: clean
	rm -rf $(VENV) *.egg-info
