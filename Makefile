# 信访工作管理系统: `make run` serves the back-office (development server), `make serve` in production
# (waitress, 8 threads), `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
CATALOG := translations/zh_Hans_CN/LC_MESSAGES

.PHONY: run serve test translations fonts extract clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	touch $(BIN)/activate

translations: $(BIN)/activate
	$(BIN)/python -c "from admin_app.i18n import compile_catalogs; compile_catalogs(force=True)"

# The free 仿宋 and 小标宋 faces of letters, converted to TrueType into instance/fonts once (README, 文书字体). Never
# fails: without apt-get or the network it says so, and letters use Debian's AR PL UMing / WenQuanYi Zen Hei.
fonts: $(BIN)/activate
	-$(BIN)/python -m admin_app.letters.fontbuild

run: translations fonts
	$(BIN)/flask --app admin_app first-start
	$(BIN)/flask --app admin_app run --host $(HOST) --port $(PORT)

# Production: waitress with 8 threads; each request opens its own database connection and closes it after.
serve: translations fonts
	$(BIN)/flask --app admin_app first-start
	$(BIN)/waitress-serve --threads=8 --host=$(HOST) --port=$(PORT) --call admin_app:create_app

test: translations fonts
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Refresh the catalog after adding strings: then translate the new entries in messages.po.
extract: $(BIN)/activate
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ -k ngettext:1,2 --no-location --sort-output -o /tmp/messages.pot .
	$(BIN)/pybabel -q update -i /tmp/messages.pot -d translations -D messages --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) $(CATALOG)/*.mo
