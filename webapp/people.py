"""How the pages name who did a step, as an official record does: the office and the person
(南开区工业和信息化局 · 张三), the system and the public by name, an account no longer known by its login.

The office is the roles list's `office` (`office_en`) of the person's role, a template of the rule package
filling in `district`, `organization` and `unit`; a person whose display name already is the office (or
holds it) is named once. Names are read once per request, all of a page's people in one query."""

from flask import g
from flask_babel import get_locale
from flask_babel import gettext as _

from . import labels
from .documents import texts
from .extensions import db
from .models import Organization, User


def _words():
    return {"system": _("系统"), "public": _("社会公众"), "cli": _("系统（命令行部署）")}


def _known():
    if "people" not in g:
        g.people = {}
    return g.people


def preload(usernames):
    """Read the names of these accounts now, in one query (a page's history names several)."""
    known, words = _known(), _words()
    wanted = {u for u in usernames if isinstance(u, str) and u and u not in known and u not in words}
    if not wanted:
        return
    rows = (db.session.query(User.username, User.display_name, User.role, User.district, User.unit,
                             Organization.name.label("organization"))
            .outerjoin(Organization, User.organization_id == Organization.id).filter(User.username.in_(wanted)))
    locale = str(get_locale())
    for row in rows:
        known[row.username] = _named(row, locale)
    for username in wanted - set(known):
        known[username] = username


def name(username):
    """The person as the record names them: office · name; '' for nobody."""
    if not username:
        return ""
    words = _words()
    if username in words:
        return words[username]
    preload([username])
    return _known()[username]


def _office(row, locale):
    entry = next((e for e in labels.entries("roles") if isinstance(e, dict) and e.get("value") == row.role), {})
    template = (entry.get("office_en") if locale == "en" else None) or entry.get("office")
    if not template:
        return ""
    context = {"district": labels.label("districts", row.district, locale) if row.district else "",
               "organization": row.organization or "", "unit": row.unit or ""}
    try:
        return texts.fill(str(template), context, "office")
    except texts.TemplateProblem:
        return labels.label("roles", row.role, locale)


def _named(row, locale):
    office, person = _office(row, locale), row.display_name or row.username
    if not office or office in person:
        return person
    if person in office:
        return office
    return f"{office} · {person}"
