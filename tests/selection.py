"""Steps of the provider selection, driven through the HTTP API as the demo users would."""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from shipped_forms import load_form

from webapp.demo import APPLICANTS
from webapp.formkit.credit_code import check_digit


def credit_code_of(username):
    first17 = next(a[3] for a in APPLICANTS if a[0] == username)
    return first17 + check_digit(first17)


def open_round(city, year=2026):
    closes = (datetime.now(UTC) + timedelta(days=60)).isoformat()
    response = city.post("/rounds", {"kind": "provider_selection", "year": year,
                                     "title": f"{year}年度制造业数字化转型服务商遴选", "closes_at": closes})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def task_for(api, instance_id, element_id):
    tasks = [t for t in api.get("/tasks").get_json()
             if t["instance_id"] == instance_id and t["element_id"] == element_id]
    assert tasks, f"no {element_id} task for this user on case {instance_id}"
    return tasks[0]["id"]


def complete(api, instance_id, element_id, data, expect=200):
    response = api.post(f"/tasks/{task_for(api, instance_id, element_id)}/complete", {"data": data})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def application(api, username="applicant1", upload=None, **changes):
    """A complete 申报书; the organisation's name, code and district are left out: the form takes them
    from the account (they are read-only), as a client may. `upload()` gives an attachment id (default:
    one uploaded through the API by `api`)."""
    attachment = upload or (lambda: api.upload().get_json()["id"])
    data = {
        "contact_name": "张经理", "contact_phone": "13812345678", "contact_email": "zhang@example.cn",
        "staff_total": 120, "tech_staff": 60, "revenue_last_year": 8600.5,
        "category": "consulting", "other_categories": ["testing"],
        "attest_legal_person": True, "attest_no_violation": True, "attest_not_dishonest": True,
        "attest_local_office": True,
        "business_license": attachment(), "truthfulness_pledge": attachment(),
        "tianjin_cases": [{"client": "天津某汽车零部件有限公司", "contract_amount": 320, "scope": "数字化诊断",
                           "status": "completed", "results": "设备联网率提升至90%"}],
    }
    data.update(changes)
    return data


def apply(as_user, username="applicant1", year=2026):
    """Open a round, start a case as the applicant and submit the application; returns ids."""
    round_id = open_round(as_user("city"), year)
    applicant = as_user(username)
    response = applicant.post("/process-instances", {"process": "provider_selection", "round_id": round_id})
    assert response.status_code == 201, response.get_json()
    instance_id = response.get_json()["id"]
    complete(applicant, instance_id, "submit_application", application(applicant, username))
    return instance_id, applicant


def recommend(district, instance_id):
    letter = district.upload("推荐函.pdf").get_json()["id"]
    complete(district, instance_id, "district_review",
             {"decision": "approve", "opinion": "同意推荐", "recommendation_letter": letter})


def assign_experts(city, instance_id, experts=("expert1", "expert2")):
    complete(city, instance_id, "city_formal_check", {"decision": "approve", "experts": list(experts)})


def sheet(form_key, total, **fields):
    """A filled scoring sheet of `form_key` whose dimensions add up to `total` (each in proportion to its
    maximum, the last one taking the rounding), with the conflict declaration and an opinion."""
    form = load_form(form_key)
    parts = [form.fields[[f.name for f in form.fields].index(name)]
             for f in form.fields if f.sum_of for name in f.sum_of]
    total = Decimal(str(total))
    values = [(total * Decimal(str(p.max)) / 100).quantize(Decimal("0.01"), ROUND_DOWN) for p in parts[:-1]]
    values.append(total - sum(values))
    return {"no_conflict": True, **{p.name: float(v) for p, v in zip(parts, values, strict=True)},
            "opinion": "服务能力较强", **fields}


def score(as_user, instance_id, scores=(("expert1", 88), ("expert2", 92))):
    for expert, value in scores:
        complete(as_user(expert), instance_id, "expert_review", sheet("expert_review", value))


def publish_list(city, instance_id):
    """The city publishes the round's list (拟入库名单) the case is on; returns the notice."""
    round_id = case(city, instance_id)["round_id"]
    response = city.post(f"/rounds/{round_id}/list")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# The notice period ends at the end of its last day (China time): a day more than its length is past it.
PAST_NOTICE = timedelta(days=8, hours=12)


def to_notice(as_user):
    """Run a case up to the public notice (its round's list published); returns (instance_id, applicant, notice)."""
    instance_id, applicant = apply(as_user)
    recommend(as_user("district-hexi"), instance_id)
    city = as_user("city")
    assign_experts(city, instance_id)
    score(as_user, instance_id)
    complete(city, instance_id, "city_decision", {"decision": "approve", "opinion": "综合评定通过，列入初选名单"})
    return instance_id, applicant, publish_list(city, instance_id)


def run_timers(app, instant):
    """`flask timers run --as-of instant`; returns how many fired."""
    result = app.test_cli_runner().invoke(args=["timers", "run", "--as-of", instant.isoformat()])
    assert result.exit_code == 0, result.output
    return int(result.output.split()[-1])


def case(api, instance_id):
    response = api.get(f"/process-instances/{instance_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def admit(app, as_user, username="applicant1", district="hexi", year=2026):
    """An applicant through a whole selection round of `year` into the pool; returns the case id."""
    instance_id, applicant = apply(as_user, username, year)
    recommend(as_user(f"district-{district}"), instance_id)
    city = as_user("city")
    assign_experts(city, instance_id)
    score(as_user, instance_id)
    complete(city, instance_id, "city_decision", {"decision": "approve", "opinion": "列入初选名单"})
    publish_list(city, instance_id)
    run_timers(app, datetime.now(UTC) + PAST_NOTICE)
    assert case(applicant, instance_id)["outcome"] == "admitted"
    return instance_id
