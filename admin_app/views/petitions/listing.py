"""The petition list on a city's archive (a million rows): every page, filter and search reads only what it shows.

Flask-Admin's own list counts the whole result (a scan), searches with LIKE '%word%' (another scan) and
breaks when a search joins the table a filter joins. Here instead:

- the search goes through models.search (an index for 2 characters or more; numbers by their index; a full
  ID number or phone, typed by a role that may see them, through the petitioner's indexes);
- the count stops at COUNT_CAP rows: beyond, the page says 超过 10,000 条; the unfiltered list gives the
  table's size from the newest id (约 N 条), which a deletion never happens to (petitions are voided);
- a page is read by id: the ids of the page first (an index-only walk, or the search's matches newest first),
  then those rows; newest first is the order of registration (id), which every index keeps.
"""
import hmac

from flask import g, session
from flask_babel import gettext
from flask_login import current_user
from markupsafe import escape
from peewee import fn

from models import access
from models.reports import search as fast_search
from models.people import Petitioner
from models.petition import Petition

from ... import permissions
from ...personal import MASKED_TERM, SEARCH_KEYS, search_key
from ..prefetch import attach_related

COUNT_CAP = 10000
# A search with filters: when at most this many petitions meet the filters, their index is read (cheap, in
# order) and each looked up among the search's matches; with more, the matches lead instead and reach a page
# (and the count's cap) soon, since so many petitions pass the filters.
CONDITIONS_LEAD = 50000


def masked_petitioners(term):
    """The petitioners a masked term (371526********1234, 138****5678) stands for: the value's beginning by its
    index, its end compared, and, when this session typed it, exactly the one typed (keyed hash)."""
    match = MASKED_TERM.match(term)
    if not match:
        return None
    head, tail = match.groups()
    upper = head[:-1] + chr(ord(head[-1]) + 1)
    key = (session.get(SEARCH_KEYS) or {}).get(term)
    ids = []
    for field in (getattr(Petitioner, name) for name in access.personal_fields(Petitioner)):
        rows = (Petitioner.select(Petitioner.id, field).where((field >= head) & (field < upper))
                .where(field.endswith(tail)).limit(1000).tuples())
        ids += [pid for pid, value in rows if key is None or hmac.compare_digest(search_key(value), key)]
    return ids


def personal_word(word):
    """For the roles that may see them: a (masked) ID number or phone finds its petitioner's petitions."""
    if not permissions.sees_personal_data(current_user.role):
        return None
    people = masked_petitioners(word)
    return None if people is None else Petition.petitioner.in_(people)


class FastListMixin:
    """get_list for the petition list, as described above; the rest of the view is Flask-Admin's."""

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        if sort_column is not None and sort_column not in self._sortable_columns:
            sort_column = None
        page = max(page or 0, 0)
        if page_size is None:
            page_size = self.page_size
        fts, clause = fast_search.plan(search, other=personal_word) if search else (None, None)
        user = current_user.user if current_user.is_authenticated else None
        every = Petition.select(Petition.id)
        scoped = access.visible(every, user, self.endpoint) is not every  # not all petitions: count them

        def narrow(query):
            """The scope, the search's clauses and the filters, on any query over petitions."""
            query = access.visible(query, user, self.endpoint)
            if clause is not None:
                query = query.where(clause)
            for index, _name, value in filters or ():
                flt = self._filters[index]
                query = flt.apply(query, flt.clean(value))
            return query

        conditions = scoped or clause is not None or bool(filters)
        cap = COUNT_CAP if page_size == self.page_size else max(COUNT_CAP, page_size or 0)  # an export: its limit
        order = self.order(sort_column, sort_desc)
        narrowed = narrow(Petition.select(Petition.id))
        if fts is None and clause is not None and fast_search.is_postgres() and fast_search.indexed(search):
            count, ids, page_size = self.postgres_search(narrowed, cap, order, sort_column, page, page_size)
        elif fts is None:
            count = self.capped_count(narrowed, cap) if conditions else self.whole_count(cap)
            ids = narrowed.order_by(*order)
        elif conditions and self.capped_count(narrowed, CONDITIONS_LEAD, label=False) <= CONDITIONS_LEAD:
            # the conditions are narrow: their (covering) index leads, each row looked up among the matches
            # and the ids found are read once, for the count and the page (the matches are listed only once)
            leading = narrowed.where(fast_search.among_matches(fts)).order_by(*order)
            found = [pid for (pid,) in leading.limit(cap + 1).tuples()]
            count = self.capped(len(found), cap)
            end = (page + 1) * page_size if page_size else len(found) + 1
            if end <= len(found) or len(found) <= cap:
                ids, page_size = found[page * page_size:end] if page_size else found, None
            else:
                ids = leading
        else:  # the matches lead, newest first, and stop as soon as the page (or the count's cap) is reached
            matches = narrow(fast_search.newest_matches(fts, [Petition.id]))
            count = self.capped_count(matches, cap)
            ids = matches if sort_column is None else narrowed.where(
                Petition.id.in_(fast_search.matching_ids(fts))).order_by(*order)
        if page_size:
            ids = ids.limit(page_size).offset(page * page_size)
        rows = Petition.select().where(Petition.id.in_(ids)).order_by(*order)
        if not execute:
            return count, rows
        rows = list(rows)
        if not rows and page and page_size and fts is None and not conditions:
            rows = self.oldest_page(sort_column, sort_desc, page_size)
        attach_related(rows, self.related_columns())
        return count, rows

    def oldest_page(self, sort_column, sort_desc, page_size):
        """末页 of the whole list, counted from the newest id (约 N 条): ids never used (a rolled-back insert)
        can leave it empty; the last rows of the list are read from the other end instead."""
        reverse = [Petition.id.asc()] if sort_column is None else self.order(sort_column, not sort_desc)
        ids = Petition.select(Petition.id).order_by(*reverse).limit(page_size)
        return list(Petition.select().where(Petition.id.in_(ids)).order_by(*self.order(sort_column, sort_desc)))

    def postgres_search(self, narrowed, cap, order, sort_column, page, page_size):
        """A search on PostgreSQL: (count, the page's ids or a query of them, the page size still to apply).

        Up to cap + 1 matches are read from the indexes' bitmaps, in the table's order (no sort, so the
        scan stops there): they are the count and, when that is all of them, the page. Beyond the cap, the
        newest ones are read from a window of the newest ids instead, not from all the matches: the LIKE
        rechecks each row the trigrams give, and a common phrase has tens of thousands."""
        newest = Petition.select(fn.MAX(Petition.id)).scalar() or 0  # before: it needs its index scan
        with fast_search.bitmap_plans():
            found = [pid for (pid,) in narrowed.order_by().limit(cap + 1).tuples()]
            count = self.capped(len(found), cap)
            start = page * (page_size or 0)
            end = start + page_size if page_size else None
            if len(found) <= cap and sort_column is None:
                return count, sorted(found, reverse=True)[start:end], None
            if len(found) <= cap:
                return count, Petition.select(Petition.id).where(Petition.id.in_(found)).order_by(*order), page_size
            if sort_column is not None or not page_size:
                return count, narrowed.order_by(*order), page_size
            return count, self.newest_window(narrowed, found, newest, start, page_size), None

    @staticmethod
    def newest_window(narrowed, found, newest, offset, limit):
        """Rows offset..offset + limit of the matches, newest first, from the newest ids: a window twice as
        wide as the matches' density (found: cap + 1 of them, read in about the ids' order) says the page
        needs, made 4 times wider until it holds the page or the whole table."""
        density = len(found) / (max(found) - min(found) + 1)
        width = max(1000, int(2 * (offset + limit) / density))
        while True:
            window = narrowed.where(Petition.id > newest - width).order_by(Petition.id.desc())
            ids = [pid for (pid,) in window.limit(limit).offset(offset).tuples()]
            if len(ids) == limit or width >= newest:
                return ids
            width *= 4

    def order(self, sort_column, sort_desc):
        if sort_column is None:
            return [Petition.id.desc()]
        field = getattr(Petition, self._sortable_columns[sort_column])
        return [field.desc() if sort_desc else field.asc(), Petition.id.desc() if sort_desc else Petition.id.asc()]

    @staticmethod
    def whole_count(cap):
        """Every petition: the table's size from the newest id (约 N 条) beyond the cap, which is close, since
        petitions are voided, never deleted."""
        newest = Petition.select(fn.MAX(Petition.id)).scalar() or 0
        if newest <= cap:
            return Petition.select().count()
        g.petition_count_label = gettext("about %(n)s", n="{:,}".format(newest))
        return newest

    @classmethod
    def capped_count(cls, query, cap, label=True):
        """Exact up to the cap; beyond, cap + 1 and the label 超过 10,000 条 rather than a long count."""
        found = query.order_by().limit(cap + 1).count()
        return cls.capped(found, cap) if label else found

    @staticmethod
    def capped(found, cap):
        if found > cap:
            g.petition_count_label = gettext("more than %(n)s", n="{:,}".format(cap))
            g.petition_count_capped = True  # no 末页: the last page is not known without the full count
            return cap
        return found

    def last_page_known(self):
        return not g.get("petition_count_capped")

    def count_label(self, count):
        return escape(g.get("petition_count_label") or count)
