"""Who may see and act on what: every query for cases and tasks goes through these filters.

Officials see by role and district, experts only what they were assigned, applicants only their
organisation's cases. Anything out of scope is reported as absent (404), never shown. What a person
may read of a case they do see is the case's own declaration (engine.disclosure).
"""

from sqlalchemy import or_

from .models import CarbonCopy, HumanTask, ProcessInstance

ALL_CASES_ROLES = {"owner", "city"}


def instances_query(user):
    query = ProcessInstance.query
    if user.role in ALL_CASES_ROLES:
        return query
    if user.role == "district":  # its district's cases, and those copied to the official (抄送)
        copied = CarbonCopy.query.with_entities(CarbonCopy.instance_id).filter(CarbonCopy.username == user.username)
        return query.filter(or_(ProcessInstance.district == user.district, ProcessInstance.id.in_(copied)))
    if user.role == "applicant":
        return query.filter(ProcessInstance.organization_id == user.organization_id)
    if user.role == "expert":
        assigned = HumanTask.query.with_entities(HumanTask.instance_id).filter(
            HumanTask.assignee == user.username)
        return query.filter(ProcessInstance.id.in_(assigned))
    return query.filter(False)


def can_see_instance(user, instance):
    return instances_query(user).filter(ProcessInstance.id == instance.id).first() is not None


def candidate_tasks(user):
    """Open tasks the user may act on: assigned to them, or claimable by their role and scope."""
    query = HumanTask.query.filter(HumanTask.state == "open", HumanTask.role == user.role)
    query = query.filter(or_(HumanTask.assignee.is_(None), HumanTask.assignee == user.username))
    if user.role == "district":
        query = query.filter(HumanTask.district == user.district)
    elif user.role == "applicant":
        query = query.filter(HumanTask.organization_id == user.organization_id)
    elif user.role == "expert":
        query = query.filter(HumanTask.assignee == user.username)
    return query


def is_candidate(user, task):
    """candidate_tasks for one task already loaded (the completion path asks this of a locked row)."""
    return (task.state == "open" and task.role == user.role and task.assignee in (None, user.username)
            and (user.role != "district" or task.district == user.district)
            and (user.role != "applicant" or task.organization_id == user.organization_id)
            and (user.role != "expert" or task.assignee == user.username))
