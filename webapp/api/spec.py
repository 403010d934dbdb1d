"""GET /api/v1/openapi.json — the OpenAPI 3 document, built from the registered routes."""

import re

from flask import current_app, jsonify

from . import bp

SUMMARIES = {
    "api.token": "获取访问令牌", "api.me": "当前用户", "api.list_definitions": "流程定义（最新版本）",
    "api.versions": "流程的全部版本", "api.xml": "流程 BPMN XML", "api.deploy": "部署流程",
    "api.open_round": "开启申报批次", "api.list_rounds": "申报批次", "api.start_instance": "发起案件",
    "api.list_instances": "案件列表", "api.get_instance": "案件详情", "api.history": "流转记录",
    "api.list_tasks": "待办/已办任务", "api.get_task": "任务详情（含表单）", "api.claim": "签收任务",
    "api.unclaim": "退回签收", "api.complete": "办理任务", "api.upload": "上传附件", "api.download": "下载附件",
    "api.resource_pool": "资源池名单", "api.notices": "公示与公告", "api.object_to": "提交异议",
    "api.openapi": "本文档", "api.centers": "市级促进中心名单", "api.file_complaint": "投诉服务商",
    "api.list_complaints": "我的投诉", "api.package": "规则包（某一版本的全部内容）",
    "api.restore": "恢复某一版本为最新版本", "api.transfer": "转办", "api.delegate": "委派", "api.cc": "抄送",
    "api.urge": "催办", "api.save_draft": "暂存", "api.withdraw": "撤回申请", "api.notifications": "我的通知",
    "api.read_notification": "标记通知已读", "api.draw_experts": "随机抽取专家",
    "api.replace_expert": "更换评审专家", "api.take_back": "拿回",
    "api.add_expert": "加签（增加评审专家）", "api.remove_expert": "减签（减少评审专家）", "api.logout": "注销当前令牌",
    "api.round_list": "批次拟入库名单（发布前预览）", "api.publish_round_list": "发布批次拟入库名单公示",
    "api.objection_status": "凭受理编号查询异议", "api.notice_pdf": "公示公告 PDF", "api.documents": "案件文书",
    "api.case_document": "案件文书 PDF（推荐函）", "api.complaint_status": "凭受理编号查询投诉",
    "api.get_round": "申报批次（含通知正文与附件）", "api.change_round": "修改申报批次（正文、附件、开始与截止时间）",
    "api.close_round": "提前截止申报批次", "api.public_rounds": "开放中的申报通知",
    "api.oversight_figures": "监管看板统计", "api.oversight_steps": "某一版本各环节的等待、用时与按时率",
}
PAGED = {"api.list_tasks", "api.resource_pool"}  # ?page=&per_page=, answered with X-Total-Count and Link
PAGE_PARAMS = [{"name": name, "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}}
               for name in ("page", "per_page")]
# The oversight figures' filters (a district official's district is always their own).
FILTERED = {"api.oversight_figures", "api.oversight_steps"}
FILTER_PARAMS = [{"name": name, "in": "query", "required": False, "schema": {"type": kind}}
                 for name, kind in (("process", "string"), ("version", "integer"), ("round", "integer"),
                                    ("year", "integer"), ("district", "string"))]
PUBLIC = {"api.token", "api.resource_pool", "api.notices", "api.object_to", "api.openapi", "api.centers",
          "api.objection_status", "api.notice_pdf", "api.complaint_status",
          "api.public_rounds"}


@bp.get("/openapi.json")
def openapi():
    paths = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        params = [{"name": n, "in": "path", "required": True,
                   "schema": {"type": "integer" if "int:" + n in rule.rule else "string"}}
                  for n in re.findall(r"{(\w+)}", path)]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = {"summary": SUMMARIES.get(rule.endpoint, rule.endpoint), "operationId": rule.endpoint,
                         "parameters": params + (PAGE_PARAMS if rule.endpoint in PAGED else [])
                         + (FILTER_PARAMS if rule.endpoint in FILTERED else []),
                         "responses": {"200": {"description": "OK"}, "4XX": {"description": "错误 {error, errors}"}}}
            if rule.endpoint not in PUBLIC:
                operation["security"] = [{"bearer": []}]
            paths.setdefault(path, {})[method.lower()] = operation
    return jsonify({
        "openapi": "3.0.3",
        "info": {"title": "天津市制造业数字化转型服务商及促进中心管理 API", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    })
