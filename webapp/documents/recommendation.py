"""The district's 推荐函 (Art. 6 (二)), generated from the district's recommendation instead of written
outside the system: the review the process names (summaryReview) and the letter template it names
(recommendationLetter) are the diagram's; the text is the owner's template."""

from .. import engine, labels
from ..models import HumanTask
from . import pdf, texts


def _properties(instance):
    return engine.process_properties(instance.definition)


def review(instance):
    """The district's latest completed review of the case when it recommended it, else None."""
    element = _properties(instance).get("summaryReview")
    if not element or not _properties(instance).get("recommendationLetter"):
        return None
    task = (HumanTask.query.filter_by(instance_id=instance.id, element_id=element, state="completed")
            .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).first())
    return task if task is not None and (task.data or {}).get("decision") == "approve" else None


def document(instance, task):
    data = instance.data or {}
    categories = [data.get("category")] + [c for c in data.get("other_categories") or [] if c != data.get("category")]
    district = labels.label("districts", instance.district)
    context = {"org": {"name": data.get("org_name") or instance.subject, "credit_code": data.get("credit_code", ""),
                       "categories": "、".join(labels.label("provider_categories", c) for c in categories if c)},
               "district": district, "opinion": (task.data or {}).get("opinion") or "",
               "round": {"title": instance.round.title if instance.round else "", "year":
                         instance.round.year if instance.round else ""}, "date": texts.cn_date(task.completed_at)}
    template = engine.package.library(instance.definition).entries(_properties(instance)["recommendationLetter"])
    parts = texts.render(template, context)
    return pdf.Document(title=parts.get("title") or "推荐函", salutation=parts.get("salutation"),
                        paragraphs=texts.paragraphs(parts.get("body")),
                        signature=[line for line in (parts.get("issuer"), texts.cn_date(task.completed_at)) if line],
                        stamp_line=parts.get("stamp"))
