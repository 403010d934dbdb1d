"""A notice (公示 of a round's list, or a 公告) as a printed document: its text, the list of units, the
period as dates, where and how to object, and the 落款 (issuing office and date)."""

from .. import notice_lists
from . import pdf, texts

UNIT_HEADER = ("序号", "单位名称", "统一社会信用代码", "申报类别", "所属区")


def document(notice):
    parts = notice.details or {"body": notice.body or ""}
    units = notice_lists.unit_rows(notice.entries)
    lines = []
    if notice.kind == "selection_notice" and notice.ends_at:
        lines.append(f"公示期：{texts.cn_date(notice.starts_at)}至{texts.cn_date(notice.ends_at)}")
    if not units and notice.subject and notice.kind == "selection_notice":
        lines.append(f"公示单位：{notice.subject}")
    for key, label in (("office", "联系处室"), ("address", "书面材料寄送地址"), ("phone", "联系电话"),
                       ("supervision_phone", "监督电话")):
        if parts.get(key):
            lines.append(f"{label}：{parts[key]}")
    table = None
    if units:
        rows = [(u["no"], u["name"], u["credit_code"], u["categories"], u["district"]) for u in units]
        table = (UNIT_HEADER, rows, (8, 34, 30, 20, 14))
    signature = [parts["issuer"], texts.cn_date(notice.starts_at)] if parts.get("issuer") else []
    return pdf.Document(title=notice.title, paragraphs=texts.paragraphs(parts.get("body")), table=table,
                        lines=lines, signature=signature)
