"""Lists shown a page at a time, so what a page costs does not grow with the database.

A page is a LIMIT/OFFSET slice of an indexed, ordered query (config PAGE_SIZE rows). Its count stops
at LIST_COUNT_CAP (a city official's inbox at 100 k cases says "200+" instead of counting every
row); the public pool, whose size is news in itself, asks for an exact count.
"""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func

from .extensions import db

MAX_PAGE_SIZE = 500


@dataclass
class Page:
    items: list
    number: int
    size: int
    total: int
    capped: bool  # more rows exist than `total` says
    has_next: bool  # read, not guessed: the page query asks for one row more than it shows

    @property
    def pages(self):
        """Pages to link to: all of them, or with a capped count, those up to this one."""
        return max(1, -(-self.total // self.size), self.number)

    @property
    def total_label(self):
        return f"{self.total}+" if self.capped else str(self.total)


def page_of(query, number=1, size=None, exact_count=False, options=()):
    """Page `number` (1-based) of `query`; loader `options` apply to the page's rows only."""
    size = min(max(size or current_app.config["PAGE_SIZE"], 1), MAX_PAGE_SIZE)
    cap = None if exact_count else current_app.config["LIST_COUNT_CAP"]
    if cap is None:  # a bare count(*) over the filter: an index-only scan where the index allows
        total = query.order_by(None).with_entities(func.count()).scalar()
    else:
        total = db.session.query(func.count()).select_from(query.order_by(None).limit(cap + 1).subquery()).scalar()
    capped = cap is not None and total > cap
    total = min(total, cap) if capped else total
    number = max(number or 1, 1)
    if not capped:
        number = min(number, max(1, -(-total // size)))
    rows = query.options(*options).offset((number - 1) * size).limit(size + 1).all()
    return Page(rows[:size], number, size, total, capped, has_next=len(rows) > size)


def request_page(args):
    """(page number, page size) from ?page=&per_page=; missing or malformed values mean the defaults."""
    def number(name):
        value = args.get(name, "")
        return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None
    return number("page") or 1, number("per_page")
