# The two commands of the README: `make run` and `make test`. Everything else is set-up they need.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo demo-advance test install test-tools bench clean

# `make run` starts the embedded system with the demo (every stage of a project, data marked
# 【演示】); `make run DEMO=0` starts it empty. `make demo-advance DAYS=7` moves the demo clock.
DEMO ?= 1
DAYS ?= 7
run: $(STAMP)
	$(BIN)/renovation up $(if $(filter 0,$(DEMO)),,--demo)

demo: $(STAMP)
	$(BIN)/renovation up --demo

demo-advance: $(STAMP)
	RENOVATION_DEMO=1 $(BIN)/renovation demo advance --days $(DAYS)

test: $(STAMP) test-tools
	$(BIN)/python -m pytest -q -p no:cacheprovider

install: $(STAMP)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Tools some tests use: promtool and docker-compose (static validation), Chromium (pages),
# Noto CJK fonts and Pango (the archive's PDF report, made by WeasyPrint).
# On CI (root, Debian) they are installed; elsewhere those tests skip and say why.
test-tools:
	@if [ -n "$$CI" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=""; \
	  command -v promtool >/dev/null || missing="$$missing prometheus"; \
	  command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	  command -v chromium >/dev/null || missing="$$missing chromium fonts-noto-cjk"; \
	  fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	  ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	  if [ -n "$$missing" ]; then \
	    echo "installing test tools:$$missing"; \
	    apt-get update -qq >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi; \
	fi

# Every benchmark, one table of ratios beside peers (issue 10); 1 M events in the growth step.
bench: $(STAMP)
	@mkdir -p var
	COLUMNS=$${COLUMNS:-200} $(BIN)/renovation bench all --full --markdown var/bench.md

clean:
	rm -rf $(VENV) build *.egg-info
