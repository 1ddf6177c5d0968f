# Tongchou — the two commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve test test-browser bench lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

demo: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py load_demo
	HOST=$(HOST) PORT=$(PORT) ./scripts/serve

serve: $(STAMP)
	HOST=$(HOST) PORT=$(PORT) ./scripts/serve

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-browser: $(STAMP)
	./scripts/ensure-chromium
	$(BIN)/python -m pytest -q -m browser $(PYTEST_ARGS)

# make bench [QUICK=1] [ONLY=import,reads,motion,http,resources,linkage,match,service] [FULL=1] [DB=sqlite|postgresql]: every part, or some.
# make bench ONLY=service FULL=1 REUSE=1: the service reads timed again on the database the last run left.
bench: $(STAMP)
	$(BIN)/python -m bench $(if $(QUICK),--quick,) $(if $(ONLY),--only $(ONLY),) $(if $(DB),--db $(DB),)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var
