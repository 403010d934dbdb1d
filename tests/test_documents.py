"""Documents as PDF with a Chinese font, their text read back out of the PDF: the round's list (公示, with
both units and the 落款) and the 公告 of a removal citing its item of Art. 8."""

import io

from pypdf import PdfReader
from selection import publish_list
from test_round_list import listed
from web import Session

from webapp.extensions import db
from webapp.models import Notice


def pdf_text(response):
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return "".join(text.split()).replace("\u3000", "")  # lines wrap where the page ends them


def test_the_round_list_prints_both_units_the_period_and_the_issuing_office(app, as_user):
    from selection import open_round

    city = as_user("city")
    round_id = open_round(city)
    first = listed(as_user, round_id, "applicant1")
    listed(as_user, round_id, "applicant2")
    notice = publish_list(city, first)
    text = pdf_text(app.test_client().get(f"/api/v1/public/notices/{notice['id']}/pdf"))
    assert "关于2026年度天津市制造业数字化转型服务商拟入库名单的公示" in text
    assert "天津智造数字科技有限公司" in text and "天津南开工业互联网有限公司" in text
    assert "河西区" in text and "南开区" in text and "监督电话" in text and "公示期：" in text
    with app.app_context():
        published = db.session.get(Notice, notice["id"])
        issued = published.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert text.rstrip().endswith(f"天津市工业和信息化局{issued.year}年{issued.month}月{issued.day}日")  # 落款
    assert app.test_client().get("/api/v1/public/notices/999999/pdf").status_code == 404


def test_without_a_chinese_font_the_pdf_is_refused_not_a_500(app, as_user):
    from selection import to_notice

    _, _, notice = to_notice(as_user)
    app.config["PDF_FONT"] = "/nonexistent.ttf"
    from webapp.documents import pdf

    saved, pdf.FONT_CANDIDATES = pdf.FONT_CANDIDATES, ()
    try:
        response = app.test_client().get(f"/api/v1/public/notices/{notice['id']}/pdf")
    finally:
        pdf.FONT_CANDIDATES = saved
    assert response.status_code == 503 and "字体" in response.get_json()["error"]


def test_the_district_recommendation_generates_the_letter_listed_with_the_case(app, as_user):
    from selection import apply, complete

    instance_id, applicant = apply(as_user)
    district = as_user("district-hexi")
    assert district.get(f"/process-instances/{instance_id}/documents").get_json() == []
    complete(district, instance_id, "district_review", {"decision": "approve", "opinion": "材料齐全，同意推荐"})
    [letter] = applicant.get(f"/process-instances/{instance_id}/documents").get_json()
    assert (letter["kind"], letter["title"]) == ("recommendation_letter", "推荐函")
    text = pdf_text(applicant.client.get(letter["url"], headers=applicant.headers))
    assert text.startswith("推荐函天津市工业和信息化局：")
    assert "天津智造数字科技有限公司" in text and "材料齐全，同意推荐" in text
    assert "2026年度制造业数字化转型服务商遴选" in text
    assert "河西区工业和信息化主管部门" in text and text.endswith("（盖章）")
    # Another district neither lists nor reads it.
    other = as_user("district-nankai")
    assert other.get(f"/process-instances/{instance_id}/documents").status_code == 404
    assert other.client.get(letter["url"], headers=other.headers).status_code == 404
    page = Session(app, "applicant1").text(f"/cases/{instance_id}")  # the case page lists and serves it too
    assert "推荐函" in page and f"/cases/{instance_id}/documents/recommendation_letter.pdf" in page
    assert Session(app, "applicant1").client.get(
        f"/cases/{instance_id}/documents/recommendation_letter.pdf").headers["Content-Type"] == "application/pdf"
    assert applicant.client.get(f"/api/v1/process-instances/{instance_id}/documents/nothing.pdf",
                                headers=applicant.headers).status_code == 404
