"""Municipal promotion centers (市级促进中心): the record a confirmed application creates, and the
yearly self-assessments kept on it.

A lead unit runs at most one active center, so a center is found by its case's organisation; this
is also how a self-assessment round's case (started for the organisation) finds its center.
"""

from ...extensions import db
from ...models import Center, CenterAssessment, HumanTask, Organization
from ..errors import Conflict, ScriptError

INDICATOR_TYPES = {"integer"}


def _active_center(organization_id):
    if organization_id is None:
        return None
    return (Center.query.filter_by(organization_id=organization_id, status="active")
            .order_by(Center.id.desc()).first())


def active_centers(q=None, district=None):
    """The public list of municipal centers (API and page), newest first."""
    query = Center.query.filter(Center.status == "active").order_by(Center.confirmed_at.desc(), Center.id.desc())
    if q:
        query = query.filter(Center.name.contains(q.strip()) | Center.lead_name.contains(q.strip()))
    if district:
        query = query.filter(Center.district == district)
    return query.all()


def find_center(ctx):
    """The active center the case's organisation leads, or None."""
    center = _active_center(ctx.instance.organization_id)
    return {"id": center.id, "name": center.name} if center else None


def create_center(ctx, name, build_mode, members=None, industries=None):
    org = db.session.get(Organization, ctx.instance.organization_id)
    if org is None:
        raise ScriptError("案件没有牵头单位，无法确定促进中心")
    if _active_center(org.id):
        raise Conflict(f"{org.name} 已牵头一家市级促进中心")
    center = Center(organization_id=org.id, instance_id=ctx.instance.id, name=name, lead_name=org.name,
                    credit_code=org.credit_code, district=org.district, build_mode=build_mode,
                    members=[dict(m) for m in members or []], industries=industries or None)
    db.session.add(center)
    db.session.flush()
    return {"id": center.id, "confirmed_at": center.confirmed_at.isoformat()}


def _submission(ctx, form):
    """The latest completed submission of `form` in this case (after a return, the resubmission)."""
    task = (HumanTask.query.filter_by(instance_id=ctx.instance.id, form_key=form, state="completed")
            .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).first())
    if task is None:
        raise ScriptError(f"案件中没有已提交的 {form} 表单")
    return task.data or {}


def record_assessment(ctx, year, form, opinion=None):
    """Keep an accepted self-assessment on the center's record; the form's integer fields are the indicators."""
    center = _active_center(ctx.instance.organization_id)
    if center is None:
        raise ScriptError("该单位没有在册的市级促进中心")
    data = _submission(ctx, form)
    indicators = [{"name": f.name, "label": f.label, "label_en": f.label_en, "value": data.get(f.name)}
                  for f in ctx.form(form).fields if f.type in INDICATOR_TYPES]
    assessment = CenterAssessment(center_id=center.id, instance_id=ctx.instance.id, year=int(year),
                                  indicators=indicators, report=data, opinion=opinion or None,
                                  accepted_by=ctx.actor)
    db.session.add(assessment)
    db.session.flush()
    return {"id": assessment.id, "center_id": center.id, "year": assessment.year}


OPERATIONS = {
    "centers.find": find_center,
    "centers.create": create_center,
    "centers.record_assessment": record_assessment,
}
