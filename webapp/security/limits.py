"""Limits on what one request or one account may make the server hold: rows of a form's table
(MAX_TABLE_ROWS, checked before the rows are bound), and the bytes an account uploads in a day
(UPLOAD_BYTES_PER_DAY, 429 beyond it), counted wherever an attachment is stored."""

from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import event, func, select

from ..models import Attachment, utcnow
from ..uploads import UploadRefused

MAX_TABLE_ROWS = 500


@event.listens_for(Attachment, "before_insert")
def _daily_quota(mapper, connection, target):
    if not has_app_context() or target.size is None:
        return
    limit = current_app.config.get("UPLOAD_BYTES_PER_DAY")
    if not limit:
        return
    since = utcnow() - timedelta(days=1)
    used = connection.execute(select(func.coalesce(func.sum(Attachment.size), 0)).where(
        Attachment.uploaded_by == target.uploaded_by, Attachment.created_at > since)).scalar()
    if used + target.size > limit:
        raise UploadRefused(f"今日上传量已达上限（{limit // (1024 * 1024)} MB），请明天再试", 429)
