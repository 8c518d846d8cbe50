"""同比 for the 年报: a year's headline figures beside those of the same period of the year before (上年同期).

    same_period_last_year(year(2025), today)            -> 2024年1月1日 to 2024年12月31日
    same_period_last_year(year(2026), 2026-12-05)       -> 2025年1月1日 to 2025年12月5日 (a year under way is
                                                          compared with as many days of the last one)
    change(12, 10) -> 0.2;  change(8, 10) -> -0.2;  change(3, 0) -> None (nothing to compare with)
    point_change(0.45, 0.40) -> 5.0 (a rate's change, in percentage points)
"""

from . import statistics

# The headline figures compared, in the page's order: counts (同比 in per cent) and rates (in percentage points).
COUNTS = ("open_start", "new", "closed", "not_accepted", "open_end", "leader_led")
RATES = ("resolution_rate",)


def _a_year_before(day):
    """The same day a year before; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=day.day - 1)


def same_period_last_year(period, today):
    """The same days a year before the period; for a period not over by today, only up to a year before today
    (the figures of a year under way are compared with as many days of the last one)."""
    end = min(period.end, today)
    if end < period.start:  # a period that has not begun: the whole of it
        end = period.end
    return statistics.Period(_a_year_before(period.start), _a_year_before(end), period.kind)


def change(now, before):
    """(now − before) ÷ before, or None when before is 0 (or unknown): no 同比 can be given."""
    if not before or now is None:
        return None
    return (now - before) / before


def point_change(now, before):
    """A rate's change in percentage points, or None when either rate is unknown."""
    if now is None or before is None:
        return None
    return 100 * (now - before)


def compare(now, before):
    """For two summaries (statistics.summary): [(key, this period's value, 上年同期, 同比)], 同比 a fraction for the
    counts and percentage points for the rates, None when it cannot be given."""
    rows = [(key, now[key], before[key], change(now[key], before[key])) for key in COUNTS]
    rows += [(key, now[key], before[key], point_change(now[key], before[key])) for key in RATES]
    return rows


def year_on_year(period, today, now=None, scope=None):
    """The 同比 rows of a period (now: its summary, when already computed) against the same period a year
    before, and that period."""
    previous = same_period_last_year(period, today)
    now = now if now is not None else statistics.summary(period, scope)
    return compare(now, statistics.summary(previous, scope)), previous
