"""The district's 推荐信息汇总表 (Art. 6 (二)) with its stamped copies, and the process owner's definitions pages."""

import re
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote

from openpyxl import load_workbook
from selection import application, complete, open_round, recommend
from web import Session, csrf_token

from webapp.demo import APPLICANTS
from webapp.extensions import db
from webapp.formkit.credit_code import check_digit
from webapp.models import Organization, RoundDocument, User

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["序号", "单位名称", "统一社会信用代码", "申报类别", "所属区", "联系人", "联系电话", "推荐意见", "推荐日期"]
PDF = b"%PDF-1.4\n% stamped summary\n%%EOF\n"
RETURNED_ORG = "天津河西第二数字服务有限公司"
NANKAI_ORG = "天津南开工业互联网有限公司"


def add_hexi_applicant(app):
    """A second enterprise of 河西区, so one district has two cases in the same round."""
    first17 = "91120103MA09P3RD4"
    code = first17 + check_digit(first17)
    with app.app_context():
        org = Organization(name=RETURNED_ORG, credit_code=code, district="hexi", contact_name="李经理",
                           contact_phone="022-88886666")
        db.session.add(org)
        db.session.flush()
        user = User(username="applicant-hexi2", display_name=RETURNED_ORG, role="applicant", district="hexi",
                    organization_id=org.id)
        user.set_password("demo12345")
        db.session.add(user)
        db.session.commit()
    return code


def start_case(as_user, username, round_id, **changes):
    """Start a case as this applicant and submit the demo application, with changes."""
    applicant = as_user(username)
    demo_user = username if username in {a[0] for a in APPLICANTS} else "applicant1"
    response = applicant.post("/process-instances", {"process": "provider_selection", "round_id": round_id})
    assert response.status_code == 201, response.get_json()
    instance_id = response.get_json()["id"]
    complete(applicant, instance_id, "submit_application", application(applicant, demo_user, **changes))
    return instance_id


def three_cases(app, as_user):
    """One round: 河西区 recommends applicant1, returns a second 河西区 case; 南开区 recommends applicant2."""
    round_id = open_round(as_user("city"))
    hexi = as_user("district-hexi")
    recommended_id = start_case(as_user, "applicant1", round_id, other_categories=["testing", "operation"])
    recommend(hexi, recommended_id)
    code = add_hexi_applicant(app)
    returned_id = start_case(as_user, "applicant-hexi2", round_id, org_name=RETURNED_ORG, credit_code=code)
    complete(hexi, returned_id, "district_review", {"decision": "return", "opinion": "请补充审计报告"})
    nankai_id = start_case(as_user, "applicant2", round_id, org_name=NANKAI_ORG, district="nankai")
    recommend(as_user("district-nankai"), nankai_id)
    return round_id


def rows_of(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(BytesIO(response.data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def upload(session, round_id, content=PDF, name="盖章件.pdf"):
    return session.submit(f"/district/summary/{round_id}/stamped", {"file": (BytesIO(content), name)},
                          token_from=f"/district/summary?round={round_id}", content_type="multipart/form-data")


def test_xlsx_lists_only_the_districts_recommended_cases(app, as_user):
    round_id = three_cases(app, as_user)
    hexi = Session(app, "district-hexi")
    page = hexi.text(f"/district/summary?round={round_id}")
    assert "天津智造数字科技有限公司" in page and RETURNED_ORG not in page and NANKAI_ORG not in page

    response = hexi.get(f"/district/summary/{round_id}.xlsx?district=nankai")  # a district cannot pick another
    rows = rows_of(response)
    assert "推荐信息汇总表-河西区" in unquote(response.headers["Content-Disposition"])
    assert "推荐信息汇总表" in rows[0][0] and "（河西区）" in rows[0][0] and "服务商遴选" in rows[0][0]
    assert rows[1] == HEADER
    body = [r for r in rows[2:] if isinstance(r[0], int)]
    assert len(body) == 1
    number, name, credit_code, category, district, contact, phone, opinion, date = body[0]
    assert (number, name, district, contact, phone, opinion) == (
        1, "天津智造数字科技有限公司", "河西区", "张经理", "13812345678", "同意推荐")
    assert credit_code.startswith("91120103MA05K8XQ1") and "咨询" in category and "评测" in category
    assert "运营" in category and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)
    flat = " ".join(str(v) for r in rows for v in r if v is not None)
    assert RETURNED_ORG not in flat and NANKAI_ORG not in flat
    assert "河西区工业和信息化主管部门（盖章）" in rows[-1][0] and "日期：" in rows[-1][0]  # names its district

    city = Session(app, "city")
    assert city.get(f"/district/summary/{round_id}.xlsx").status_code == 404  # the city names the district
    nankai_rows = rows_of(city.get(f"/district/summary/{round_id}.xlsx?district=nankai"))
    assert [r[1] for r in nankai_rows[2:] if isinstance(r[0], int)] == [NANKAI_ORG]
    assert "天津智造数字科技有限公司" in city.text(f"/district/summary?round={round_id}&district=hexi")


def test_stamped_copy_is_seen_by_its_district_and_the_city_only(app, as_user):
    round_id = open_round(as_user("city"))
    hexi = Session(app, "district-hexi")
    response = upload(hexi, round_id)
    assert response.status_code == 302
    page = hexi.text(f"/district/summary?round={round_id}")
    document_id = re.search(r'/district/documents/(\d+)"[^>]*>盖章件\.pdf<', page).group(1)
    path = f"/district/documents/{document_id}"
    assert hexi.get(path).data == PDF
    city = Session(app, "city")
    assert "盖章件.pdf" in city.text(f"/district/summary?round={round_id}&district=hexi")
    assert city.get(path).data == PDF

    nankai = Session(app, "district-nankai")
    assert nankai.get(path).status_code == 404
    assert "盖章件.pdf" not in nankai.text(f"/district/summary?round={round_id}")
    applicant = Session(app, "applicant1")
    assert applicant.get(path).status_code == 404
    assert Session(app, "owner").get(path).status_code == 404
    for page_path in ("/district/summary", f"/district/summary?round={round_id}",
                      f"/district/summary/{round_id}.xlsx"):
        assert applicant.get(page_path).status_code == 403, page_path
    refused = applicant.client.post(f"/district/summary/{round_id}/stamped",
                                    data={"csrf_token": csrf_token(applicant.text("/my")),
                                          "file": (BytesIO(PDF), "x.pdf")}, content_type="multipart/form-data")
    assert refused.status_code == 403
    with app.app_context():
        assert RoundDocument.query.count() == 1


def test_stamped_upload_refuses_disguised_files_and_missing_token(app, as_user):
    round_id = open_round(as_user("city"))
    hexi = Session(app, "district-hexi")
    exe = upload(hexi, round_id, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00PE\x00\x00", "盖章件.pdf")
    assert exe.status_code == 422
    assert "只接受" in exe.get_data(as_text=True)
    docx = upload(hexi, round_id, b"PK\x03\x04 not a scan", "汇总表.docx")  # fine for a case, not a stamped copy
    assert docx.status_code == 422 and "PDF 或图片" in docx.get_data(as_text=True)
    no_token = hexi.client.post(f"/district/summary/{round_id}/stamped", data={"file": (BytesIO(PDF), "a.pdf")},
                                content_type="multipart/form-data")
    assert no_token.status_code == 400
    with app.app_context():
        assert RoundDocument.query.count() == 0
    assert "尚未上传盖章件" in hexi.text(f"/district/summary?round={round_id}")


def test_definitions_list_versions_and_serve_the_bpmn(app, as_user):
    round_id = open_round(as_user("city"))
    start_case(as_user, "applicant1", round_id)
    owner = Session(app, "owner")
    page = owner.text("/definitions/")
    assert "provider_selection" in page and "v1" in page
    row = re.search(r'<tr data-version="1">.*?</tr>', page.split('id="process-provider_selection"')[1], re.S).group(0)
    assert '<td class="running">1</td>' in row  # the running case started on v1
    detail = owner.text("/definitions/provider_selection/1")
    assert 'data-xml-url="/definitions/provider_selection/1.xml"' in detail and "bpmn-navigated-viewer" in detail
    assert "diagram-missing" not in detail
    xml = owner.get("/definitions/provider_selection/1.xml")
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    assert xml.get_data(as_text=True) == (ROOT / "processes" / "provider_selection.bpmn").read_text(encoding="utf-8")
    download = owner.get("/definitions/provider_selection/1.bpmn")
    assert "provider_selection-v1.bpmn" in download.headers["Content-Disposition"]
    assert owner.get("/definitions/provider_selection/9").status_code == 404
    assert owner.get("/definitions/provider_selection/9.xml").status_code == 404
    assert "provider_selection" in Session(app, "city").text("/definitions/")

    for username in ("district-hexi", "applicant1", "expert1"):
        other = Session(app, username)
        for path in ("/definitions/", "/definitions/provider_selection/1", "/definitions/provider_selection/1.xml"):
            assert other.get(path).status_code == 403, (username, path)


def test_definition_without_diagram_interchange_says_so(app, as_user):
    source = (ROOT / "processes" / "provider_selection.bpmn").read_text(encoding="utf-8")
    without_di = re.sub(r"<bpmndi:BPMNDiagram.*</bpmndi:BPMNDiagram>", "", source, flags=re.S)
    owner = as_user("owner")
    response = owner.client.post("/api/v1/process-definitions", headers=owner.headers,
                                 data={"bpmn": (BytesIO(without_di.encode()), "p.bpmn")},
                                 content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    page = Session(app, "owner").text("/definitions/provider_selection/2")
    assert 'id="diagram-missing"' in page and "BPMN DI" in page
    assert "data-xml-url" not in page
    assert 'id="diagram-missing"' not in Session(app, "owner").text("/definitions/provider_selection/1")
