"""监管看板 (issue 17): the city's oversight of the programme — cases by stage, district, category and round,
outcomes, each step's on-time share per district, the tasks overdue now with 催办 — and each step's waiting
cases and times drawn on the diagram of a version, two versions side by side. A district official sees
their own district's, the city and the process owner every district's. Every table downloads as .xlsx, as do
the resource pool and the grading results. The figures are engine.oversight's."""

from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import engine, labels
from ..engine import clock
from ..extensions import db
from ..formkit.definition import localized
from ..formkit.library import FormNotFound
from ..ids import parse_id
from ..models import PoolEntry, ProcessDefinition, Round
from . import localtime
from .spreadsheets import send_table

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
oversight = engine.oversight
EXPORT_ROWS = 10000  # an overdue list longer than this is not a report but an emergency
OVERDUE_SHOWN = 20  # the page lists the longest overdue; the export lists them all


@dataclass
class Table:
    id: str
    title: str
    header: list
    rows: list


def _locale():
    return str(get_locale())


def _label(name, value):
    return labels.label(name, value, _locale())


def _filters():
    """The page's filters within the reader's scope (403 for others, 404 with nothing deployed)."""
    if current_user.role not in oversight.READERS:
        abort(403)
    found = oversight.filters_for(current_user, request.args, _processes(),
                                  [value for value, _text in labels.options("districts")])
    if found is None:
        abort(404)
    return found


def _definitions(filters):
    query = ProcessDefinition.query.filter_by(key=filters.process)
    if filters.version is not None:
        query = query.filter_by(version=filters.version)
    return query.order_by(ProcessDefinition.version).all()


def step_words(definitions):
    """{element id: the step's name on the page}: the diagram's, in English its form's English title."""
    words = {}
    for definition in definitions:
        words.update(oversight.element_names(definition))
        if _locale() == "en":
            library = engine.package.library(definition)
            for element_id, form_key in oversight.element_forms(definition).items():
                try:
                    words[element_id] = localized(words[element_id], library.form(form_key).title_en, "en")
                except FormNotFound:
                    pass
    return words


def _rate(done, due):
    return round(100 * done / due, 1) if due else None


def _round_titles(ids):
    return {r.id: (r.title, r.year) for r in Round.query.filter(Round.id.in_([i for i in ids if i]))} if ids else {}


def tables(summary, words):
    """The dashboard's tables with their words, as the page shows them and the exports write them."""
    outcomes = [row["outcome"] for row in summary["outcomes"]]
    rounds = _round_titles([row["round_id"] for row in summary["rounds"]])
    return [
        Table("stages", _("办理中案件所在环节"), [_("环节"), _("案件数")],
              [[words.get(r["element_id"], r["name"]), r["cases"]] for r in summary["stages"]]),
        Table("districts", _("各区案件与结果"),
              [_("所属区"), _("案件数"), _("办理中"), _("超期任务"), *(_label("outcomes", o) for o in outcomes)],
              [[_label("districts", r["district"]) or _("（无）"), r["cases"], r["running"], r["overdue"],
                *(r["outcomes"].get(o, 0) for o in outcomes)] for r in summary["districts"]]),
        Table("categories", _("各类别申报与入库"), [_("申报类别"), _("申报数"), _("已纳入资源池")],
              [[_label("provider_categories", r["category"]), r["cases"], r["admitted"]]
               for r in summary["categories"]]),
        Table("rounds", _("各批次案件"), [_("申报批次"), _("年度"), _("案件数"), _("已纳入资源池")],
              [[rounds.get(r["round_id"], (_("（无批次）"), ""))[0], rounds.get(r["round_id"], ("", ""))[1],
                r["cases"], r["admitted"]] for r in summary["rounds"]]),
        Table("outcomes", _("办结结果"), [_("结果"), _("案件数")],
              [[_label("outcomes", r["outcome"]), r["cases"]] for r in summary["outcomes"]]),
        Table("on_time", _("各区各环节按时办结率"),
              [_("所属区"), _("环节"), _("有时限的任务"), _("按时办结"), _("按时率（%）")],
              [[_label("districts", r["district"]) or _("（无）"), words.get(r["element_id"], r["name"]), r["due"],
                r["on_time"], _rate(r["on_time"], r["due"])] for r in summary["on_time"]]),
    ]


def overdue_days(task, now):
    return round((now - task.due_at).total_seconds() / 86400, 1)


def _overdue_rows(found, words, now):
    return [[task.instance_id, task.subject or "", _label("districts", task.district),
             words.get(task.element_id, task.name), _label("roles", task.role), localtime(task.due_at),
             overdue_days(task, now)] for task in found]


OVERDUE_HEADER = (_l("案件编号"), _l("申报单位"), _l("所属区"), _l("环节"), _l("办理角色"), _l("办理期限"),
                  _l("已超期（天）"))


def _charts(summary, words, outcomes_words):
    """What the page's ECharts draw (static/dashboard/charts.js)."""
    districts = [row["district"] for row in summary["districts"]]
    steps = sorted({row["element_id"] for row in summary["on_time"]})
    timed = sorted({row["district"] or "" for row in summary["on_time"]})  # the districts with timed tasks
    return {
        "stages": {"names": [words.get(r["element_id"], r["name"]) for r in summary["stages"]],
                   "values": [r["cases"] for r in summary["stages"]]},
        "districts": {"names": [_label("districts", d) or _("（无）") for d in districts],
                      "series": [{"name": _("办理中"), "values": [r["running"] for r in summary["districts"]]}]
                      + [{"name": word, "values": [r["outcomes"].get(o, 0) for r in summary["districts"]]}
                         for o, word in outcomes_words]},
        "on_time": {"steps": [words.get(s, s) for s in steps],
                    "districts": [_label("districts", d) or _("（无）") for d in timed],
                    "cells": [[steps.index(r["element_id"]), timed.index(r["district"] or ""),
                               _rate(r["on_time"], r["due"])] for r in summary["on_time"]]},
    }


@bp.get("/")
@login_required
def index():
    filters = _filters()
    summary = oversight.summary(filters)
    definitions = _definitions(filters)
    words = step_words(definitions)
    now = clock.now()
    overdue = oversight.overdue(filters, now, limit=OVERDUE_SHOWN + 1)  # one more: whether the list goes on
    outcomes_words = [(r["outcome"], _label("outcomes", r["outcome"])) for r in summary["outcomes"]]
    # 催办 is the city's, and a district's for its own cases (operations.may_urge reads the case's district)
    may_urge = {task.instance_id for task in overdue if engine.operations.may_urge(task, current_user)}
    return render_template(
        "dashboard/index.html", filters=filters, tables=tables(summary, words), summary=summary,
        overdue=overdue[:OVERDUE_SHOWN], more_overdue=len(overdue) > OVERDUE_SHOWN, now=now, words=words,
        may_urge=may_urge,
        overdue_days=overdue_days, district_words=dict(labels.options("districts", _locale())),
        role_words=dict(labels.options("roles", _locale())),
        charts=_charts(summary, words, outcomes_words), refreshed=oversight.last_refresh(),
        versions=oversight.versions_of(filters.process), years=oversight.years_of(filters.process),
        rounds=_rounds(filters),
        processes=_process_choices(), args=_args(filters))


def _rounds(filters):
    return Round.query.filter_by(kind=filters.process).order_by(Round.year.desc(), Round.id.desc()).all()


def _processes():
    return oversight.processes_offered([value for value, _text in labels.options("processes")])


def _process_choices():
    return [(key, _label("processes", key)) for key in _processes()]


def _args(filters, **changes):
    """The query arguments that reproduce `filters` (for links to exports and the diagram)."""
    values = {"process": filters.process, "version": filters.version, "round": filters.round_id,
              "year": filters.year, "district": filters.district if current_user.role != "district" else None}
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


@bp.get("/export/<name>.xlsx")
@login_required
def export(name):
    filters = _filters()
    words = step_words(_definitions(filters))
    if name == "overdue":
        now = clock.now()
        found = oversight.overdue(filters, now, limit=EXPORT_ROWS)
        table = Table("overdue", _("当前超期任务"), [str(h) for h in OVERDUE_HEADER], _overdue_rows(found, words, now))
    else:
        table = next((t for t in tables(oversight.summary(filters), words) if t.id == name), None)
        if table is None:
            abort(404)
    return send_table(f"{table.title}.xlsx", table.title, table.header, table.rows)


@bp.get("/export/pool.xlsx")
@login_required
def pool_export():
    """The resource pool as it stands (a district official: their district's members)."""
    filters = _filters()
    query = PoolEntry.query.filter(PoolEntry.removed_at.is_(None)).order_by(PoolEntry.admitted_at, PoolEntry.id)
    if filters.district:
        query = query.filter(PoolEntry.district == filters.district)
    rows = [[e.name, e.credit_code, _label("districts", e.district),
             "、".join(_label("provider_categories", c) for c in e.categories or ()),
             _label("grades", e.grade) if e.grade else "", e.grade_year or "", localtime(e.admitted_at, "%Y-%m-%d")]
            for e in query]
    header = [_("单位名称"), _("统一社会信用代码"), _("所属区"), _("服务类别"), _("评价等级"), _("评价年度"),
              _("入库日期")]
    return send_table(f"{_('资源池名单')}.xlsx", _("资源池名单"), header, rows)


@bp.get("/export/grading.xlsx")
@login_required
def grading_export():
    """Every annual grade recorded, newest first (a district official: their district's providers)."""
    filters = _filters()
    rows = []
    for entry, case in oversight.grading_results(filters.district):
        result = (entry.data or {}).get("result") or {}
        rows.append([case.subject or "", _label("districts", case.district), result.get("year", ""),
                     _label("grades", result.get("grade")) if result.get("grade") else "",
                     _("是") if result.get("recorded") else _("否"), localtime(entry.at), case.id])
    header = [_("单位名称"), _("所属区"), _("评价年度"), _("评价等级"), _("已登记到资源池"), _("登记时间"),
              _("案件编号")]
    return send_table(f"{_('年度评价结果')}.xlsx", _("年度评价结果"), header, rows)


def _version(filters, number):
    """The version `number` of the filter's process, else its latest (404 when it has none)."""
    definition = ProcessDefinition.query.filter_by(key=filters.process, version=number).first() if number else None
    if definition is None:
        definition = (ProcessDefinition.query.filter_by(key=filters.process)
                      .order_by(ProcessDefinition.version.desc()).first())
    if definition is None:
        abort(404)
    return definition


def _side(definition, filters):
    """One version's diagram and its steps' figures for the heat overlay."""
    steps = oversight.heat(definition, filters)
    words = step_words([definition])
    for element_id, step in steps.items():
        step["name"] = words.get(element_id, step["name"])
        step["on_time_rate"] = _rate(step["on_time"], step["due"])
    return {"definition": definition, "steps": steps,
            "xml_url": url_for("dashboard.diagram_xml", key=definition.key, version=definition.version)}


def step_rows(steps):
    """A version's steps as a table: those with figures, the most waiting first."""
    def days(seconds):
        return round(seconds / 86400, 2) if seconds is not None else None
    return [[s["name"], s["waiting"], s["tasks"], days(s["median_s"]), days(s["p90_s"]), s["due"], s["on_time"],
             s["on_time_rate"]] for _id, s in sorted(steps.items(), key=lambda i: (-i[1]["waiting"], i[1]["name"]))]


STEP_HEADER = (_l("环节"), _l("等待中的案件"), _l("已办结任务"), _l("中位用时（天）"), _l("P90 用时（天）"),
               _l("有时限的任务"), _l("按时办结"), _l("按时率（%）"))


@bp.get("/diagram")
@login_required
def diagram():
    """The heat overlay on a version's diagram (?version=), beside another version's (?compare=)."""
    filters = _filters()
    shown = _version(filters, filters.version)
    sides = [_side(shown, filters)]
    number = parse_id(request.args.get("compare"))
    compare = _version(filters, number) if number else None
    if compare is not None and compare.id != shown.id:
        sides = sorted([*sides, _side(compare, filters)], key=lambda side: side["definition"].version)
    return render_template("dashboard/diagram.html", filters=filters, sides=sides,
                           header=[str(h) for h in STEP_HEADER],
                           step_rows=step_rows, versions=oversight.versions_of(filters.process),
                           compare_versions=oversight.versions_of(filters.process),
                           rounds=_rounds(filters), years=oversight.years_of(filters.process),
                           processes=_process_choices(), args=_args(filters), refreshed=oversight.last_refresh(),
                           compare=compare.version if compare is not None and len(sides) > 1 else None)


@bp.get("/export/steps.xlsx")
@login_required
def steps_export():
    filters = _filters()
    shown = _version(filters, filters.version)
    title = _("%(process)s v%(version)s 各环节用时", process=_label("processes", shown.key), version=shown.version)
    return send_table(f"{title}.xlsx", title, [str(h) for h in STEP_HEADER], step_rows(_side(shown, filters)["steps"]))


@bp.get("/diagram/<key>/<int:version>.xml")
@login_required
def diagram_xml(key, version):
    if current_user.role not in oversight.READERS:
        abort(403)
    definition = db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                                   ProcessDefinition.version == version))
    if definition is None:
        abort(404)
    return Response(definition.bpmn_xml, mimetype="application/xml")
