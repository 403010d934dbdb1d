"""Uploads, stored in the database so a case and its files commit together."""

from io import BytesIO

from flask import current_app, g, jsonify, request, send_file

from .. import engine
from ..extensions import db
from ..models import Attachment
from ..uploads import UploadRefused, store
from . import BadRequest, bp, error, login_required


def attachment_json(a):
    return {"id": a.id, "filename": a.filename, "size": a.size, "sha256": a.sha256, "content_type": a.content_type}


@bp.post("/attachments")
@login_required()
def upload():
    file = request.files.get("file")
    if file is None:
        raise BadRequest("缺少 file")
    try:
        attachment = store(file, g.user.id, current_app.config["MAX_UPLOAD_BYTES"])
    except UploadRefused as err:
        return error(err.status, str(err), {"file": [str(err)]} if err.status == 422 else None)
    db.session.commit()
    return jsonify(attachment_json(attachment)), 201


@bp.get("/attachments/<int:attachment_id>")
@login_required()
def download(attachment_id):
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not engine.attachments.readable(g.user, attachment):
        raise engine.NotFound("附件不存在")
    return send_file(BytesIO(attachment.content), mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename)
