"""What an upload may be: checked by size and by its first bytes, never by the name the client sent."""

import hashlib

from .extensions import db
from .models import Attachment

# (magic prefix, content type, allowed extensions)
SIGNATURES = (
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
    (b"PK\x03\x04", "application/zip", {".docx", ".xlsx", ".pptx", ".zip", ".ofd"}),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage", {".doc", ".xls", ".ppt"}),
)
OFFICE_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint",
    ".ofd": "application/ofd",
}


class UploadRefused(ValueError):
    def __init__(self, message, status=422):
        super().__init__(message)
        self.status = status


def check(filename, content, max_bytes):
    """Return (content_type, sha256) for an acceptable file, else raise UploadRefused."""
    if len(content) > max_bytes:
        raise UploadRefused(f"文件超过 {max_bytes // (1024 * 1024)} MB 上限", 413)
    if not content:
        raise UploadRefused("文件为空")
    name = (filename or "").lower()
    extension = name[name.rfind("."):] if "." in name else ""
    for magic, content_type, extensions in SIGNATURES:
        if content.startswith(magic):
            if extension not in extensions:
                raise UploadRefused(f"文件扩展名 {extension or '（无）'} 与文件内容不符")
            return OFFICE_TYPES.get(extension, content_type), hashlib.sha256(content).hexdigest()
    raise UploadRefused("只接受 PDF、图片（PNG/JPEG）、Office 文档或 OFD 文件")


def store(upload, user_id, max_bytes):
    """An uploaded file (werkzeug's FileStorage), checked, as a new Attachment of the uploader; UploadRefused else.
    It belongs to no case until a submission names it (or a round holds it)."""
    content = upload.stream.read(max_bytes + 1)
    content_type, digest = check(upload.filename, content, max_bytes)
    name = (upload.filename or "file").replace("\\", "/").rsplit("/", 1)[-1][:255] or "file"
    attachment = Attachment(filename=name, content_type=content_type, size=len(content), sha256=digest,
                            content=content, uploaded_by=user_id)
    db.session.add(attachment)
    db.session.flush()
    return attachment
