"""The workspace's drafts: the next version of a process's rule package, edited part by part (the
diagram, a table, a form, a list, the parameters, the scenarios) and deployed as a whole — never live,
so no case ever meets a half-made rule."""

from .engine import NotFound, Package, latest_definition, of_version
from .extensions import db
from .models import PackageDraft, utcnow


def _row(key):
    return PackageDraft.query.filter_by(key=key).first()


def all_drafts():
    return PackageDraft.query.order_by(PackageDraft.key).all()


def draft(key):
    """(package, draft row or None): what the workspace shows for `key` — its draft, else the latest version.
    NotFound when the process has neither."""
    row = _row(key)
    if row is not None:
        return Package.from_content(row.content), row
    latest = latest_definition(key, required=False)
    if latest is None:
        raise NotFound(f"流程 {key} 未部署")
    return of_version(latest), None


def save(key, package, user):
    """Keep `package` as the draft of `key` (the caller checked that its parts read)."""
    row = _row(key)
    if row is None:
        latest = latest_definition(key, required=False)
        row = PackageDraft(key=key, base_version=latest.version if latest else None)
        db.session.add(row)
    row.content, row.updated_by, row.updated_at = package.to_content(), user.username, utcnow()
    db.session.flush()
    return row


def discard(key):
    row = _row(key)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
