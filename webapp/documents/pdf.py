"""Setting a document as an A4 PDF with a Chinese font embedded (fpdf2, pure Python; the font is
subset, so a one-page notice is some ten kilobytes). The font is a file on the machine: PDF_FONT, or the
first of FONT_CANDIDATES (Debian's fonts-wqy-zenhei, which `make` and .ci/run install)."""

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from ..engine.errors import EngineError

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


class NoFont(EngineError):
    status = 503


@dataclass
class Document:
    """What a printed document holds, top to bottom."""

    title: str
    salutation: str | None = None  # the addressee, flush left ("天津市工业和信息化局：")
    paragraphs: list = field(default_factory=list)
    table: tuple | None = None  # (header cells, rows of cells, relative column widths)
    lines: list = field(default_factory=list)  # short lines after the text: period, contacts
    signature: list = field(default_factory=list)  # the 落款: issuing office, date (right-aligned)
    stamp_line: str | None = None  # e.g. "（盖章）" under a named office


def font_path():
    configured = current_app.config.get("PDF_FONT")
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    raise NoFont("服务器未安装中文字体，无法生成 PDF（设置 PDF_FONT，或安装 fonts-wqy-zenhei）")


def render(document):
    """The document as PDF bytes."""
    pdf = FPDF(format="A4")
    pdf.set_title(document.title)
    pdf.set_creator("天津市制造业数字化转型服务平台")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("zh", fname=font_path())
    pdf.add_page()
    pdf.set_font("zh", size=17)
    pdf.multi_cell(0, 10, document.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("zh", size=12)
    if document.salutation:
        pdf.multi_cell(0, 7.5, document.salutation, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for paragraph in document.paragraphs:
        pdf.multi_cell(0, 7.5, "\u3000\u3000" + paragraph, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)
    if document.table:
        _table(pdf, *document.table)
    for line in document.lines:
        pdf.multi_cell(0, 7, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if document.signature:
        pdf.ln(10)
        for line in document.signature:
            pdf.cell(0, 8, line, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if document.stamp_line:
        pdf.cell(0, 8, document.stamp_line, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _table(pdf, header, rows, widths):
    pdf.ln(2)
    pdf.set_font("zh", size=10)
    headings = FontFace(emphasis=None, fill_color=(235, 235, 235))  # the embedded font has no bold face
    with pdf.table(col_widths=widths, text_align="CENTER", line_height=6.5, headings_style=headings) as table:
        for cells in [header, *rows]:
            row = table.row()
            for cell in cells:
                row.cell(str(cell))
    pdf.set_font("zh", size=12)
    pdf.ln(3)
