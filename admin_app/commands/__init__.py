"""Flask commands (`flask --app admin_app ...`), one module per family: database.py (init-db, upgrade-db,
seed-demo, create-user, first-start), safety.py (backup, restore, verify-audit), hotline.py (import-hotline)."""
from . import database, hotline, safety


def init_app(app):
    for command in database.COMMANDS + safety.COMMANDS + (hotline.import_hotline,):
        app.cli.add_command(command)
