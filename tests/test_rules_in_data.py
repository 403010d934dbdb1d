"""The rules live in data (Art. 16): no value or list the regulation sets is written in webapp/, so a
process owner changes each in a diagram, a decision table, a form, a list or a rule parameter."""

import ast
import re

import yaml
from conftest import ROOT

WEBAPP = ROOT / "webapp"
# The regulation's lists: the eight grounds of removal, the nine categories, the grades, the build modes.
LISTS = ("delisting_grounds", "provider_categories", "grades", "center_build_modes")
# A period, a count or a band edge in a page: "7日", "15天", "3次", "90分".
NUMBER_IN_TEXT = re.compile(r"\d+\s*(日|天|分|次|个工作日)")


def _list_values():
    values = set()
    for name in LISTS:
        values |= {entry["value"] for entry in yaml.safe_load((ROOT / "forms" / "lists" / f"{name}.yaml").read_text(
            encoding="utf-8"))}
    return values


def _parameter_values():
    """Every number the shipped rule parameters and the grading table set."""
    numbers = set()
    for path in (ROOT / "processes").glob("*.parameters.yaml"):
        numbers |= {p["value"] for p in yaml.safe_load(path.read_text(encoding="utf-8")).values()
                    if isinstance(p["value"], int) and p["value"] > 1}
    dmn = (ROOT / "processes" / "provider_grading.dmn").read_text(encoding="utf-8")
    cells = re.findall(r"<inputEntry[^>]*>\s*<text>([^<]*)</text>", dmn)
    return numbers | {int(n) for cell in cells for n in re.findall(r"\d+", cell)}


def _python_files():
    """webapp's Python, but for config.py, whose APP_ENV "production" is no provider category."""
    return [p for p in WEBAPP.rglob("*.py") if p != WEBAPP / "config.py"]


def _page_files():
    return [p for p in WEBAPP.rglob("*") if p.suffix in (".html", ".js") and "vendor" not in p.parts]


def test_the_inputs_of_this_test_are_what_the_regulation_sets():
    assert {"fraud", "voluntary_exit", "consulting", "excellent"} <= _list_values()
    assert {7, 15, 3, 90, 80, 70} <= _parameter_values()


def test_no_list_of_the_regulation_is_written_in_python_or_in_a_page():
    values = _list_values()
    found = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in values:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    quoted = re.compile("|".join(rf"['\"]{re.escape(v)}['\"]" for v in values))
    for path in _page_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if quoted.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number} {quoted.search(line).group()}")
    assert found == []


def test_no_number_of_the_regulation_is_compared_with_or_counted_in_python():
    numbers = _parameter_values()
    found = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            operands = []
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                    "timedelta", "relativedelta"):
                operands = [*node.args, *(k.value for k in node.keywords)]
            for operand in operands:
                if (isinstance(operand, ast.Constant) and type(operand.value) in (int, float)
                        and operand.value in numbers):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {operand.value}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(
                    r"P(\d+D)?(T\d+[HMS])*", node.value) and node.value != "P":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert found == []


def test_no_page_states_a_period_count_or_band_of_its_own():
    found = [f"{path.relative_to(ROOT)}:{number} {NUMBER_IN_TEXT.search(line).group()}"
             for path in _page_files()
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if NUMBER_IN_TEXT.search(line)]
    assert found == []


def test_no_page_names_a_process_or_an_element_of_a_diagram():
    keys = {p.stem for p in (ROOT / "processes").glob("*.bpmn")}
    elements = set()
    for path in (ROOT / "processes").glob("*.bpmn"):
        elements |= set(re.findall(r'<bpmn:(?:userTask|serviceTask|scriptTask|callActivity|subProcess)[^>]* id="(\w+)"',
                                   path.read_text(encoding="utf-8")))
    names = re.compile("|".join(rf"['\"]{re.escape(v)}['\"]" for v in sorted(keys | elements)))
    found = []
    for path in _page_files() + [p for p in (WEBAPP / "web").rglob("*.py")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if names.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number} {names.search(line).group()}")
    assert found == []
