"""Schema versions: the database records its version; upgrade() brings an older one up in place.

Each migration is a function of the database, run once, in order, in a transaction, and idempotent
(it checks what exists), so a half-upgraded or hand-made database is brought to the same shape.
Later versions add tables and columns here; a migration never drops a column that holds data.
"""
from contextlib import contextmanager

from peewee import IntegerField, SqliteDatabase

from playhouse.migrate import SchemaMigrator, migrate

from . import audit
from .audit import AuditEntry
from .casework import (
    Consultation, ConsultationParticipant, ConsultationPetition, ConsultationRepresentative, DutyShift, FollowUp,
    Mediation, OwnResult, Referral, ResolutionGroup, VisitLog, VisitRepresentative,
)
from .db import BaseModel, database, now
from .delivery import Delivery
from .documents import Document
from .evaluation import Evaluation
from .hotline import ApiClient, FlagDismissal, HotlineTicket
from .hotline_mapping import HotlineMapping
from .organisation import Category, Department
from .people import TEAMS, Petitioner, Representative, Team, User
from .petition import CoPetitioner, NumberSeries, Petition, StepRecord
from .reports import rates as _rates  # noqa: F401 (三率: registers its hooks on Petition.save and related records)
from .reports.tallies import PetitionTally
from .sessions import LoginSession, LoginThrottle
from .settings import OfficeSetting
from .submissions import Submission
from .supervision import Supervision
from .wording import LetterWording
from .workflow.repeats import SameMatter


class SchemaVersion(BaseModel):
    """One row: the version the database is at."""

    version = IntegerField()


# In dependency order: a table comes after those it points to.
V1_MODELS = [
    Department, Category, Team, Representative, Petitioner, User,
    NumberSeries, Petition, CoPetitioner, VisitLog, VisitRepresentative,
]
V2_MODELS = [
    StepRecord, Referral, Consultation, ConsultationPetition, ConsultationRepresentative, ConsultationParticipant,
    ResolutionGroup, Mediation, FollowUp, DutyShift, AuditEntry,
]
MODELS = V1_MODELS + V2_MODELS + [Document]
V5_MODELS = [HotlineTicket, ApiClient, FlagDismissal]
MODELS = MODELS + V5_MODELS + [PetitionTally]
V9_MODELS = [LoginSession, LoginThrottle]
MODELS = MODELS + V9_MODELS
V12_MODELS = [Submission]
MODELS = MODELS + V12_MODELS
V13_MODELS = [SameMatter]
MODELS = MODELS + V13_MODELS
V15_MODELS = [OwnResult]
MODELS = MODELS + V15_MODELS
V17_MODELS = [HotlineMapping]
MODELS = MODELS + V17_MODELS
V18_MODELS = [Delivery]
MODELS = MODELS + V18_MODELS
V20_MODELS = [OfficeSetting]
V23_MODELS = [LetterWording]
MODELS = MODELS + V20_MODELS + V23_MODELS
V25_MODELS = [Evaluation]
MODELS = MODELS + V25_MODELS
V26_SUPERVISION_MODELS = [Supervision]
MODELS = MODELS + V26_SUPERVISION_MODELS


def _sqlite_literal(value):
    if isinstance(value, (bool, int, float)):
        return str(int(value) if isinstance(value, bool) else value)
    return "'%s'" % str(value).replace("'", "''")


def add_missing_columns(db, model, names):
    """Add the model's fields `names` to its table where they are missing (keeps every row)."""
    table = model._meta.table_name
    present = {c.name for c in db.get_columns(table)}
    migrator = SchemaMigrator.from_database(db)
    operations = []
    for name in names:
        field = model._meta.fields[name]
        if field.column_name in present:
            continue
        if isinstance(getattr(db, "obj", db), SqliteDatabase) and not field.null:  # db may be the proxy
            # SQLite adds a NOT NULL column with a constant default in place. The migrator would rebuild the
            # table instead, and dropping the old one fires the foreign keys that point to it: co-petitioners
            # (ON DELETE CASCADE) would be deleted, visit logs (RESTRICT) would make the upgrade fail.
            db.execute_sql('ALTER TABLE "%s" ADD COLUMN "%s" %s NOT NULL DEFAULT %s' % (
                table, field.column_name, db._field_types.get(field.field_type, field.field_type),
                _sqlite_literal(field.db_value(field.default() if callable(field.default) else field.default))))
        else:
            operations.append(migrator.add_column(table, field.column_name, field))
    if operations:
        migrate(*operations)
    for name in names:  # indexes the new columns declare
        field = model._meta.fields[name]
        if field.index:
            db.execute_sql('CREATE INDEX IF NOT EXISTS "%s_%s" ON "%s" ("%s")'
                           % (table, field.column_name, table, field.column_name))


def _v1_foundation(db):
    """The foundation: people, organs, petitions, visit logs, and the three fixed teams."""
    db.create_tables(V1_MODELS, safe=True)
    for code, name, duty in TEAMS:
        if not Team.select().where(Team.code == code).exists():
            Team.create(code=code, name=name, duty=duty)


PETITION_V2_FIELDS = (
    "due_on", "referral_due", "notice_due", "accepted_at", "rejection_reason", "rejection_basis", "handling_due",
    "extension_days", "extension_reason", "extension_approver", "outcome", "answered_at", "review_requested_at",
    "reviewed_at", "recheck_requested_at", "rechecked_at", "closed_at", "void_reason", "unlawful_flag",
)


def _v2_workflow(db):
    """The workflow: deadlines and steps on the petition, referrals, consultations, the 1+3 group,
    mediations, follow-ups, duty shifts and the audit log."""
    add_missing_columns(db, Petition, PETITION_V2_FIELDS)
    db.create_tables(V2_MODELS, safe=True)


def _v3_documents(db):
    """Letters: every issued document, numbered and archived."""
    db.create_tables([Document], safe=True)


def _v4_safety(db):
    """Optimistic locking (a version on every record) and account lockout."""
    for model in MODELS:
        if "version" not in model._meta.fields or not db.table_exists(model._meta.table_name):
            continue  # a table of a later version is created with the column
        add_missing_columns(db, model, ("version",))
    add_missing_columns(db, User, ("failed_logins", "locked_until"))


def _v5_hotline(db):
    """12345 hotline linkage: hotline tickets, the API's clients, and the dismissals of early-sign flags."""
    db.create_tables(V5_MODELS, safe=True)


def _v6_search(db):
    """Search without a scan (models/reports/search.py), and indexes for the list's filters on a large archive."""
    from .reports import search

    search.install(db)
    for statement in LIST_INDEXES + STATISTICS_INDEXES:
        db.execute_sql(statement)
    analyze(db)  # the planner's statistics, by which it picks among these indexes


# The petition list on a large archive (admin_app/views/petitions/listing.py). Its pages are read newest first,
# by id: petition_newest gives the ids of any page from a small index. Its counts stop at 10,000 rows: for
# any combination of the equality filters, the index led by one of them holds the others, so the count reads
# the index alone (the single-column indexes of the model keep rowid order, for the pages).
FILTER_COLUMNS = ("status", "town_id", "category_id", "channel", "classification", "team_id")
LIST_INDEXES = tuple(
    "CREATE INDEX IF NOT EXISTS petition_by_%s ON petition (%s)" % (
        lead.replace("_id", ""), ", ".join((lead,) + tuple(c for c in FILTER_COLUMNS if c != lead)))
    for lead in FILTER_COLUMNS) + (
    "CREATE INDEX IF NOT EXISTS petition_newest ON petition (id)",
    "CREATE INDEX IF NOT EXISTS petition_by_due ON petition (due_on, status)",
)
# The home page's statistics (models/reports/statistics.py) for any period: what was received in it, and what was
# finished in it, each read from one index range that holds every column they are counted and grouped by.
STATISTICS_INDEXES = (
    "CREATE INDEX IF NOT EXISTS petition_receiving ON petition (received_at, status, closed_at, channel, "
    "category_id, town_id, team_id, classification)",
    "CREATE INDEX IF NOT EXISTS petition_finishing ON petition (status, closed_at, received_at, channel, "
    "category_id, town_id, team_id, classification)",
    "CREATE INDEX IF NOT EXISTS petition_leader ON petition (leader_in_charge)",
    "CREATE INDEX IF NOT EXISTS petition_led ON petition (lead_representative_id, status, closed_at, received_at)",
)

def _v7_tallies(db):
    """The statistics' monthly tallies (models/reports/tallies.py), kept by triggers, counted from the petitions there."""
    from .reports import tallies

    tallies.install(db)


def _v8_search_text(db):
    """PostgreSQL: the trigram indexes on the text as stored (no lower() in each recheck), a faster
    office_bigrams (models/reports/search.py); SQLite's search is unchanged."""
    from .reports import search

    if search.is_postgres(db):
        search.install(db)
        analyze(db)


def _v9_sessions(db):
    """Accounts: server-side sessions and login throttling (admin_app/auth.py)."""
    db.create_tables(V9_MODELS, safe=True)


def _v10_integrity(db):
    """Integrity: one live document per petition, kind and record; the keyed audit chain."""
    audit.install_key_column(db)
    _one_live_document(db)


def _one_live_document(db):
    """The unique index of the live documents; duplicates left by concurrent issuing are voided (the oldest stays
    in force), each with an audit entry (models/documents.py: install_live_index says why voided, not refused)."""
    from . import audit, documents

    def record(document, kept):
        audit.record("update", Document, document.id, summary=document.number,
                     before={"voided_at": None, "void_reason": None},
                     after={"void_reason": documents.DUPLICATE_REASON, "kept": kept.number})

    documents.install_live_index(db, record=record)


def _v11_one_person(db):
    """One person, one record: petitioners merged into another (merged_into, merged_at), and the unique index of
    the ID numbers of those not merged away, installed only when there are no duplicates: a database upgraded
    with duplicates is not refused, they are listed (重复登记的信访人) for merging, and the merge that removes the
    last one installs it (models/workflow/merge.py)."""
    from .workflow import merge

    add_missing_columns(db, Petitioner, ("merged_into", "merged_at"))
    merge.install_unique_index(db)


def _v12_submissions(db):
    """A form saved once: the submissions already answered (issue 13, models/submissions.py)."""
    db.create_tables(V12_MODELS, safe=True)


def _v13_same_matter(db):
    """初件/重件: petitions linked as the same matter, and each petition's is_repeat, computed for every existing
    row in one statement (models/workflow/repeats.py) and indexed for the list's filter and the home page."""
    from .workflow import repeats

    db.create_tables(V13_MODELS, safe=True)
    add_missing_columns(db, Petition, ("is_repeat",))
    repeats.install(db)  # first: the rule's look-up uses one of them
    repeats.recompute_all(db)


def _v14_back_dating(db):
    """补录: when a step happened apart from when it was typed in (issue 13). The steps recorded so far were
    typed in when they are dated."""
    if "recorded_at" not in {c.name for c in db.get_columns(StepRecord._meta.table_name)}:
        add_missing_columns(db, StepRecord, ("recorded_at",))
        db.execute_sql('UPDATE "%s" SET "recorded_at" = "at"' % StepRecord._meta.table_name)


def _v15_own_result(db):
    """自行办理: the handling result the office (or its studio) records itself, without a referral (issue 14)."""
    db.create_tables(V15_MODELS, safe=True)


def _v16_consultation_meeting(db):
    """会诊 is one meeting: one 会诊纪要 in force a consultation, whichever petition it is issued from (issue 14);
    minutes issued twice before are voided but the earliest, each with an audit entry."""
    from . import audit, documents

    def record(document, kept):
        audit.record("update", Document, document.id, summary=document.number,
                     before={"voided_at": None, "void_reason": None},
                     after={"void_reason": documents.DOUBLE_MINUTES_REASON, "kept": kept.number})

    documents.install_record_index(db, record=record)


def _v17_hotline_mapping(db):
    """12345 对应关系: the hotline's areas, request types and keywords mapped to towns and categories (issue 14,
    models/hotline_mapping.py)."""
    db.create_tables(V17_MODELS, safe=True)


def _v18_delivery(db):
    """送达: how and when each issued letter was delivered (issue 15 §5, models/delivery.py)."""
    db.create_tables(V18_MODELS, safe=True)


def _v19_letter_organs(db):
    """Who issues what (issue 15): each department names its 复查机关 and 复核机关 (empty: the settings' defaults)."""
    add_missing_columns(db, Department, ("review_organ", "recheck_organ"))


def _v20_office_settings(db):
    """系统设置: the office's settings edited on a page instead of environment variables (issue 15 §4,
    models/settings.py); no row yet: every setting is its default until saved."""
    db.create_tables(V20_MODELS, safe=True)


def _v21_request_summary(db):
    """信访请求 (issue 15): a short summary of the request, asked for at registration and stated by the letters;
    empty on the petitions already registered (their letters state the subject)."""
    add_missing_columns(db, Petition, ("request_summary",))


def _v22_mediation_particulars(db):
    """The 调解协议书 as the mediation committee's document (issue 15): the committee's name, the parties'
    particulars, the 纠纷事实 and 争议事项 (empty on earlier mediations: their letters print what they have)."""
    add_missing_columns(db, Mediation, ("committee", "party_particulars", "dispute_facts", "disputed_matters"))


def _v23_letter_wording(db):
    """文书措辞 (issue 15 §4): the office's versions of each letter's wording, and the version each letter issued
    used (null: the built-in default, as every letter issued before)."""
    db.create_tables(V23_MODELS, safe=True)
    add_missing_columns(db, Document, ("wording_version",))


def _v24_recorded_letters(db):
    """A letter another organ issued, recorded with its scan (issue 15 §1): its organ, 文号, date and the scan's
    type on the document (every letter before: generated here, application/pdf)."""
    add_missing_columns(db, Document, ("content_type", "external_organ", "external_number", "external_date"))


def _v25_query_code(db):
    """查询码 and 评价 (issue 16): each petition's look-up code (given at 受理; none on petitions accepted before
    until one is given) and the petitioner's evaluations of its answers."""
    add_missing_columns(db, Petition, ("query_code",))
    db.execute_sql('CREATE UNIQUE INDEX IF NOT EXISTS "petition_query_code" ON "petition" ("query_code")')
    db.create_tables(V25_MODELS, safe=True)


def _v26_supervision(db):
    """督办 (issue 16 §3): the office's supervision of an overdue or disputed case and the department's reply."""
    db.create_tables(V26_SUPERVISION_MODELS, safe=True)


def _v27_rates(db):
    """三率 (issue 16 §2): the columns the figures read from other records, counted for every petition, and their
    index (models/reports/rates.py)."""
    from .reports import rates

    add_missing_columns(db, Petition, ("rating_counted", "repeated_later", "handler", "handler_due",
                                       "handler_replied_at"))
    rates.install(db)
    rates.recompute_all(db)


MIGRATIONS = [_v1_foundation, _v2_workflow, _v3_documents, _v4_safety, _v5_hotline, _v6_search, _v7_tallies,
              _v8_search_text, _v9_sessions, _v10_integrity, _v11_one_person, _v12_submissions, _v13_same_matter,
              _v14_back_dating, _v15_own_result, _v16_consultation_meeting,
              _v17_hotline_mapping, _v18_delivery, _v19_letter_organs, _v20_office_settings,
              _v21_request_summary, _v22_mediation_particulars, _v23_letter_wording,
              _v24_recorded_letters, _v25_query_code, _v26_supervision, _v27_rates]  # version N is MIGRATIONS[N - 1]
LATEST = len(MIGRATIONS)


def current_version(db=None):
    """The schema version of the database; 0 for an empty one."""
    db = db or database
    if not db.table_exists(SchemaVersion._meta.table_name):
        return 0
    row = SchemaVersion.select().first()
    return row.version if row else 0


def upgrade(db=None):
    """Run the migrations the database lacks; return (from_version, to_version)."""
    db = db or database
    with db.atomic():
        db.create_tables([SchemaVersion], safe=True)
        start = current_version(db)
        for version in range(start + 1, LATEST + 1):
            MIGRATIONS[version - 1](db)
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=max(start, LATEST))
    return start, max(start, LATEST)


@contextmanager
def bulk_load(db=None):
    """Load many petitions at once (benchmarks/generate.py): the list's and the statistics' indexes and the
    search index are set aside meanwhile and built in one pass after (much faster than row by row), then the
    planner's statistics are refreshed."""
    from .reports import rates, search, tallies

    db = db or database
    indexes = LIST_INDEXES + STATISTICS_INDEXES + (rates.RATES_INDEX,)
    for statement in indexes:
        db.execute_sql("DROP INDEX IF EXISTS %s" % index_name(statement))
    with tallies.bulk_load(db):  # counted after the indexes are back: it reads them
        with search.bulk_load(db):
            yield
        for statement in indexes:
            db.execute_sql(statement)
    from .workflow import repeats

    repeats.recompute_all(db)  # rows inserted in bulk bypass Petition.save's refresh
    from .reports import rates

    rates.recompute_all(db)
    analyze(db)


def analyze(db):
    """Fresh planner statistics for the petitions' tables (on PostgreSQL a bare ANALYZE would read every
    schema of the database)."""
    for table in ("petition", "petitioner"):
        db.execute_sql("ANALYZE %s" % table)


def index_name(statement):
    """The name in CREATE INDEX IF NOT EXISTS name ON ..."""
    return statement.split()[5]


def is_empty():
    """True when no account exists yet (a new installation)."""
    return not User.select().exists()


__all__ = ["MODELS", "LATEST", "upgrade", "current_version", "is_empty", "now"]
