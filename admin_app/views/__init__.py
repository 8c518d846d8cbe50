"""The back-office screens, one module per family; register() puts them on the menu."""
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from models.casework import VisitLog
from models.organisation import Category, Department
from models.people import Petitioner, Representative, Team, User
from models.petition import Petition

from ..i18n import TRANSLATIONS_DIR
from .base import HomeView
from .organisation import CategoryView, DepartmentView
from .petitions import PetitionerView, PetitionView, VisitLogView
from .studio import RepresentativeView, TeamView
from .users import UserView


def register(app):
    """Build the Admin with the menu grouped the way the office thinks."""
    admin = Admin(
        app,
        name=_l("Petition Office"),
        url="/admin",
        index_view=HomeView(name=_l("Home"), url="/admin"),
        translations_path=TRANSLATIONS_DIR,  # our admin.mo fills what Flask-Admin's catalog lacks
        theme=Bootstrap4Theme(base_template="admin/office_base.html", swatch="default"),
    )
    cases, studio, units, system = _l("Petitions"), _l("Representatives"), _l("Units"), _l("System")
    views = [
        PetitionView(Petition, name=_l("Petitions"), category=cases, endpoint="petition"),
        PetitionerView(Petitioner, name=_l("Petitioners"), category=cases, endpoint="petitioner"),
        VisitLogView(VisitLog, name=_l("Visit logs"), category=cases, endpoint="visitlog"),
        RepresentativeView(Representative, name=_l("Representatives"), category=studio, endpoint="representative"),
        TeamView(Team, name=_l("Teams"), category=studio, endpoint="team"),
        DepartmentView(Department, name=_l("Departments"), category=units, endpoint="department"),
        CategoryView(Category, name=_l("Categories"), category=units, endpoint="category"),
        UserView(User, name=_l("Users"), category=system, endpoint="user"),
    ]
    admin.add_views(*views)
    app.extensions["office_views"] = {view.endpoint: view for view in views}
    return admin
