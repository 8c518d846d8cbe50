"""The back-office screens, one module per family; register() puts them on the menu."""
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from models.audit import AuditEntry
from models.casework import Consultation, DutyShift, FollowUp, Mediation, Referral, VisitLog
from models.documents import Document
from models.hotline import ApiClient, FlagDismissal, HotlineTicket
from models.hotline_mapping import HotlineMapping
from models.organisation import Category, Department
from models.people import Petitioner, Representative, Team, User
from models.petition import Petition
from models.supervision import Supervision

from ..i18n import TRANSLATIONS_DIR
from .home import DashboardView
from .auditlog import AuditView
from .casework import DutyShiftView, FollowUpView, MediationView, ReferralView
from .consultations import ConsultationView
from .documents import DocumentView
from .hotline import ApiClientView, FlagsView, HotlineTicketView
from .hotline_mapping import HotlineMappingView
from .organisation import CategoryView, DepartmentView
from .petitions import PetitionerView, PetitionImportView, PetitionView, VisitLogView
from .roster import RosterView
from .settings import SettingsView
from .studio import RepresentativeView, TeamView
from .supervision import SupervisionView
from .users import UserView
from .wording import WordingView


def register(app):
    """Build the Admin with the menu grouped the way the office thinks."""
    admin = Admin(
        app,
        name=_l("Petition Office"),
        url="/admin",
        index_view=DashboardView(name=_l("Home"), url="/admin"),
        translations_path=TRANSLATIONS_DIR,  # our admin.mo fills what Flask-Admin's catalog lacks
        # fluid: the lists use the whole screen (1366 px and wider), not Bootstrap's fixed 1,140 px column
        theme=Bootstrap4Theme(base_template="admin/office_base.html", swatch="default", fluid=True),
    )
    cases, studio, units, system = _l("Petitions"), _l("Representatives"), _l("Units"), _l("System")
    views = [
        PetitionView(Petition, name=_l("Petitions"), category=cases, endpoint="petition"),
        PetitionerView(Petitioner, name=_l("Petitioners"), category=cases, endpoint="petitioner"),
        VisitLogView(VisitLog, name=_l("Visit logs"), category=cases, endpoint="visitlog"),
        ReferralView(Referral, name=_l("Referrals"), category=cases, endpoint="referral"),
        SupervisionView(Supervision, name=_l("Supervision"), category=cases, endpoint="supervision"),
        ConsultationView(Consultation, name=_l("Consultations"), category=cases, endpoint="consultation"),
        MediationView(Mediation, name=_l("Mediations"), category=cases, endpoint="mediation"),
        FollowUpView(FollowUp, name=_l("Follow-ups"), category=cases, endpoint="followup"),
        DocumentView(Document, name=_l("Documents"), category=cases, endpoint="document"),
        HotlineTicketView(HotlineTicket, name=_l("Hotline tickets"), category=cases, endpoint="hotlineticket"),
        FlagsView(FlagDismissal, name=_l("Screening"), category=cases, endpoint="flags"),
        RepresentativeView(Representative, name=_l("Representatives"), category=studio, endpoint="representative"),
        TeamView(Team, name=_l("Teams"), category=studio, endpoint="team"),
        DutyShiftView(DutyShift, name=_l("Duty roster"), category=studio, endpoint="dutyshift"),
        DepartmentView(Department, name=_l("Departments"), category=units, endpoint="department"),
        CategoryView(Category, name=_l("Categories"), category=units, endpoint="category"),
        HotlineMappingView(HotlineMapping, name=_l("Hotline mappings"), category=units, endpoint="hotlinemapping"),
        UserView(User, name=_l("Users"), category=system, endpoint="user"),
        AuditView(AuditEntry, name=_l("Audit log"), category=system, endpoint="audit"),
        ApiClientView(ApiClient, name=_l("API clients"), category=system, endpoint="apiclient"),
    ]
    admin.add_views(*views)
    admin.add_view(PetitionImportView(name=_l("Import petitions"), category=cases, endpoint="petition_import"))
    admin.add_view(RosterView(name=_l("Duty calendar"), category=studio, endpoint="roster"))
    admin.add_view(SettingsView(name=_l("Office settings"), category=system, endpoint="officesettings"))
    admin.add_view(WordingView(name=_l("Letter wording"), category=system, endpoint="wording"))
    app.extensions["office_views"] = {view.endpoint: view for view in views}
    return admin
