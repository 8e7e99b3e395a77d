# Everything a fresh machine with Python 3.11+ and make needs: each target builds what it uses.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PO_FILES := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
PACKAGES := accounts broadcasts charts db questions delivery demo events handlers i18n pledges sandbox surveys

.PHONY: demo test lint run sandbox migrate catalogs extract-messages update-catalogs bench clean

demo: $(INSTALLED) catalogs
	$(BIN)/python bot.py demo

test: $(INSTALLED) catalogs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/mypy -m bot -m settings $(foreach package,$(PACKAGES),-p $(package))

run: $(INSTALLED) catalogs
	$(BIN)/python bot.py run

sandbox: $(INSTALLED)
	$(BIN)/python bot.py sandbox

migrate: $(INSTALLED)
	$(BIN)/python bot.py db upgrade

catalogs: $(MO_FILES)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(INSTALLED)
	$(BIN)/pybabel compile --domain messages --input-file $< --output-file $@

# For developers changing user-facing text: refresh the template and merge it into every catalog.
extract-messages: $(INSTALLED)
	$(BIN)/pybabel extract --no-location --sort-output --keyword lazy --project Tideline \
		--mapping-file babel.cfg --output-file locales/messages.pot .

update-catalogs: extract-messages
	$(BIN)/pybabel update --no-fuzzy-matching --domain messages \
		--input-file locales/messages.pot --output-dir locales

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Quick runs of the benchmarks (see bench/README.md for the full sizes).
bench: $(INSTALLED) catalogs
	$(BIN)/python bench/broadcast.py --recipients 600 --compare-recipients 600
	$(BIN)/python bench/reminders.py --count 20000 --due 600
	$(BIN)/python bench/registration_burst.py --people 300 --seats 30
	$(BIN)/python bench/chart_rendering.py --repeat 3
	$(BIN)/python bench/surveys.py --people 100 --think 2 --responses 5000 --databases sqlite \
		--repeat 1

clean:
	rm -rf $(VENV) $(MO_FILES) tideline.db tideline.db-* .pytest_cache bench/results
