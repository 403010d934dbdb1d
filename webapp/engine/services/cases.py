"""Starting one process from another: grading or a complaint count starts a removal, for instance."""

from ...extensions import db
from ...models import Organization


def start_case(ctx, process, data=None, organization_id=None):
    from ..runtime import start_for  # runtime imports this package

    org = db.session.get(Organization, organization_id or ctx.instance.organization_id)
    instance = start_for(process, org, f"case:{ctx.instance.id}", dict(data or {}))
    return {"id": instance.id, "process": process}


OPERATIONS = {"cases.start": start_case}
