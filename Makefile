# The two commands of the README:
#   make demo   set up a virtual environment, install ipkg, run the main job on the sample corpus
#   make test   set up the same environment (and Debian's Chromium for the browser tests) and run every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
WEB    := queries/endpoint/web
NEO4J  := loaders/neo4j
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test setup browser jdk bench clean

setup: $(VENV)/.installed $(WEB)/node_modules/.installed $(NEO4J)/target/.built

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The endpoint's query editor (YASGUI) from the npm registry, pinned by package-lock.json.
$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js for the endpoint's query editor" >&2; exit 1; }
	npm ci --prefix $(WEB) --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# Debian's Chromium and its driver for the browser tests (Playwright drives /usr/bin/chromium; it downloads nothing).
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	  chromium chromium-driver fonts-noto-cjk >/dev/null; }

# OpenJDK 17 and Maven from Debian when missing: they build and run the Neo4j Community launcher.
jdk:
	@command -v java >/dev/null && command -v mvn >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	  openjdk-17-jdk-headless maven >/dev/null; }

# The Neo4j launcher (Neo4j's jars from Maven Central, pinned by its pom.xml), built once: the stamp is the one
# loaders/neo4j_server.py's build() writes, so neither rebuilds until pom.xml or the Java source changes.
$(NEO4J)/target/.built: $(NEO4J)/pom.xml $(shell find $(NEO4J)/src -name '*.java') | jdk $(VENV)/.installed
	@echo "building the Neo4j launcher (the first build fetches Neo4j from Maven Central)"
	$(BIN)/python -m loaders.neo4j_server

demo: setup
	$(BIN)/ipkg demo

test: setup browser
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench.extract_speed

clean:
	rm -rf out build *.egg-info .pytest_cache .ruff_cache
