"""A table as an .xlsx download: one sheet, a bold header, text kept as text (never a formula)."""

from io import BytesIO

from flask import send_file
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_table(filename, title, header, rows):
    book = Workbook()
    sheet = book.active
    sheet.title = ILLEGAL_CHARACTERS_RE.sub("", title).translate(str.maketrans("", "", "[]:*?/\\"))[:31] or "Sheet"
    for row in [header, *rows]:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a unit's name typed as "=…" stays text
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        longest = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, longest * 2 + 2))
    sheet.freeze_panes = "A2"
    output = BytesIO()
    book.save(output)
    output.seek(0)
    return send_file(output, mimetype=XLSX, as_attachment=True, download_name=filename)
