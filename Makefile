# One command per routine task, the same on a laptop and in CI.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
REGION ?= 28
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install setup demo demo-data run serve serve-production test quality lint format translations messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Pinned, reproducible install (requirements/lock.txt is compiled from pyproject.toml by `make lock`).
$(VENV)/.installed: pyproject.toml requirements/lock.txt requirements/build-constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.3"
	$(BIN)/python -m pip install --quiet --build-constraint requirements/build-constraints.txt \
		-r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps --build-constraint requirements/build-constraints.txt -e .
	touch $@

install: $(VENV)/.installed

translations: install
	$(BIN)/tremplin compile-translations

setup: translations
	$(BIN)/tremplin migrate --no-input

# The platform with the demonstration territories, at http://$(HOST):$(PORT), and a background worker
# for detection runs and big imports; Ctrl-C stops both.
demo: demo-data
	@$(MAKE) --no-print-directory serve

demo-data: setup
	$(BIN)/tremplin load-geo --region $(REGION)
	$(BIN)/tremplin seed-demo

run: setup serve

serve:
	@echo "Tremplin: http://$(HOST):$(PORT)/ (background worker running; Ctrl-C stops both)"
	@bash -c '$(BIN)/tremplin db-worker --no-reload & worker=$$!; \
		trap "kill $$worker 2>/dev/null" EXIT; \
		$(BIN)/tremplin runserver $(HOST):$(PORT)'

# Production: gunicorn (static files by WhiteNoise) and the background worker, on the database and the
# settings of the environment (README, "Production"): migrations applied, static files collected first;
# SIGTERM or Ctrl-C stops both gracefully.
serve-production: setup
	$(BIN)/tremplin serve --bind $(HOST):$(PORT)

# The whole test suite, after the quality gate.
test: translations quality
	$(BIN)/pytest

quality: install
	$(BIN)/ruff check .
	$(BIN)/tremplin makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the gettext catalogues after changing user-facing strings (needs GNU gettext's xgettext).
messages: install
	cd tremplin && ../$(BIN)/python ../manage.py makemessages -l fr -l en --ignore "engine/*"

lock: install
	PIP_BUILD_CONSTRAINT=requirements/build-constraints.txt $(BIN)/pip-compile --quiet --strip-extras \
		--no-emit-index-url --no-emit-find-links --extra test --extra dev -o requirements/lock.txt pyproject.toml

clean:
	rm -rf $(VENV) var
