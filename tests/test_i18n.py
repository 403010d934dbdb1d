"""The English interface: a complete catalog, English pages with ?lang=en, Chinese again with ?lang=zh."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from selection import admit, application, apply, task_for
from web import Session

from webapp.models import User

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "webapp" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# Han characters, CJK punctuation (、。「」) and full-width forms (（）：，).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")
LANGUAGE_SWITCH = ">中文</a>"  # the link back to Chinese is written in Chinese on purpose


def catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="en")


def test_every_message_is_translated_and_not_fuzzy():
    messages = [m for m in catalog() if m.id]
    assert len(messages) > 200
    untranslated = [m.id for m in messages if not (m.string or "").strip()]
    fuzzy = [m.id for m in messages if m.fuzzy]
    still_chinese = [m.id for m in messages if CJK.search(m.string or "")]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy
    assert not still_chinese, still_chinese
    broken = [m.id for m in messages if sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))]
    assert not broken, f"placeholders differ between msgid and msgstr: {broken}"


def test_catalog_covers_every_string_marked_for_translation():
    """What `pybabel extract -F babel.cfg -k _l` finds now is all in the .po (re-extract and update if not)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    marked = {message for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"_": None, "gettext": None, "_l": None, "lazy_gettext": None},
        directory_filter=lambda path: Path(path).name not in {".venv", "node_modules", ".git"})}
    known = {m.id for m in catalog() if m.id}
    assert marked, "nothing extracted: is babel.cfg right?"
    missing = sorted(marked - known)
    assert not missing, f"not in the catalog (run pybabel extract and update, then translate): {missing}"


def user_data(*values):
    """Every piece of text a person typed (nested forms included): it stays as typed in any language."""
    out = set()
    for value in values:
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, dict):
            out |= user_data(*value.values())
        elif isinstance(value, list | tuple | set):
            out |= user_data(*value)
    return out


def assert_english(page, data=(), where=""):
    """No Chinese left on the page once the user data and the link to 中文 are taken out."""
    rest = page.replace(LANGUAGE_SWITCH, ">")
    for value in sorted((v for v in data if CJK.search(v)), key=len, reverse=True):
        rest = rest.replace(value, "")
    found = [rest[max(m.start() - 60, 0):m.end() + 60] for m in CJK.finditer(rest)]
    assert not found, f"{where}: Chinese on the English page: {found[:5]}"
    assert '<html lang="en">' in page, where


def display_names(app, *usernames):
    with app.app_context():
        return {u.display_name for u in User.query.filter(User.username.in_(usernames))}


def test_inbox_task_and_case_pages_in_english(app, as_user):
    instance_id, applicant = apply(as_user)
    task_id = task_for(as_user("district-hexi"), instance_id, "district_review")
    typed = user_data(application(applicant), display_names(app, "district-hexi", "applicant1"),
                      "2026年度制造业数字化转型服务商遴选")  # the round's title, as the city typed it
    official = Session(app, "district-hexi")
    assert "欢迎" in official.text("/inbox/?lang=en")  # signed in while still Chinese: the welcome was said then

    inbox = official.text("/inbox/")
    assert_english(inbox, typed, "inbox")
    for words in ("To do", "Done", "Resource pool", "Notices", "Claim", "Handle", "Due", "Hexi District",
                  "Provider selection", "District preliminary review"):
        assert words in inbox, words
    for chinese in ("待办事项", "已办事项", "签收", "办理", "区级初审推荐"):
        assert chinese not in inbox, chinese

    task = official.text(f"/tasks/{task_id}")  # the choice is kept in the session
    assert_english(task, typed, "task page")
    # The form comes from forms/district_review.yaml's label_en, help_en and choices' label_en ...
    for words in ("District preliminary review", "Decision", "Recommend", "Return for supplementation",
                  "Do not recommend", "Opinion", "Recommendation letter (stamped)",
                  "Required when returning or not recommending", "Submit", "View the case diagram and history",
                  # ... and the application it reviews from forms/provider_application.yaml.
                  "Organisation name", "Unified social credit code", "Consulting", "Evaluation and testing",
                  "Service cases in Tianjin, completed or in progress", "Contract amount (10k CNY)", "Completed"):
        assert words in task, words
    for chinese in ("初审意见", "推荐函", "提交", "流转记录", "单位名称", "咨询", "已完成"):
        assert chinese not in task, chinese

    case = official.text(f"/cases/{instance_id}")
    assert_english(case, typed, "case page")
    for words in ("History", "Current step", "Application and review documents", "Started", "Completed",
                  "Provider selection", "District preliminary review (District bureau)"):
        assert words in case, words
    for chinese in ("流转记录", "当前环节", "发起", "办理", "服务商遴选入库"):
        assert chinese not in case, chinese


def test_public_pool_page_in_english(app, as_user):
    admit(app, as_user)
    visitor = Session(app)
    page = visitor.text("/pool?lang=en")
    assert_english(page, {"天津智造数字科技有限公司"}, "pool")
    for words in ("Resource pool of manufacturing digital-transformation service providers", "Organisation name",
                  "Service categories", "All categories", "All districts", "All grades", "Search",
                  "Consulting, Evaluation and testing", "Hexi District"):
        assert words in page, words
    for chinese in ("资源池名单", "公示公告", "提交", "咨询", "河西区", "、"):
        assert chinese not in page, chinese
    assert_english(visitor.text("/"), {"2026年度制造业数字化转型服务商遴选"}, "home")  # the open call's title: data
    title = "关于2026年度天津市制造业数字化转型服务商拟入库名单的公示"  # the owner's template: data
    assert_english(visitor.text("/notices"), {"天津智造数字科技有限公司", title}, "notices")


def test_lang_zh_switches_back_to_chinese(app, as_user):
    instance_id, _applicant = apply(as_user)
    task_id = task_for(as_user("district-hexi"), instance_id, "district_review")
    official = Session(app, "district-hexi")
    assert "To do" in official.text("/inbox/?lang=en")
    assert "Decision" in official.text(f"/tasks/{task_id}")

    inbox = official.text("/inbox/?lang=zh")
    assert "待办事项" in inbox and "签收" in inbox and "To do" not in inbox and '<html lang="zh-CN">' in inbox
    task = official.text(f"/tasks/{task_id}")  # Chinese is remembered too
    for chinese in ("区级初审推荐", "初审意见", "推荐", "退回补正", "不予推荐", "提交", "单位名称", "咨询"):
        assert chinese in task, chinese
    for english in ("Decision", "Return for supplementation", "Submit", "Organisation name"):
        assert english not in task, english
    assert "流转记录" in official.text(f"/cases/{instance_id}")
    assert "资源池名单" in Session(app).text("/pool")  # a new visitor gets Chinese
