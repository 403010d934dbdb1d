"""Deploy and start every BPMN file of the public corpora in tests/data (the MIWG reference set and
SpiffWorkflow's own test diagrams) through the API, and say what became of each: deployed, started,
refused (with or without naming its element or line), a 5xx. Used by tests/test_corpora.py and
bench/conformance.py, which prints the table."""

import re
import signal
import time
from collections import Counter
from io import BytesIO
from pathlib import Path

from lxml import etree

DATA = Path(__file__).resolve().parent / "data"
CORPORA = {"miwg": DATA / "miwg-reference", "spiffworkflow": DATA / "spiffworkflow"}
CALLED = re.compile(rb"calledDecisionId>\s*([^<\s]+)\s*<|decisionRef=\"([^\"]+)\"")
# A refusal that names where: a line, or an element id in the findings.
LINE = re.compile(r"第 \d+ 行|行 \d+|line \d+")


def _decision_ids(path):
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError:
        return set()
    return {d.get("id") for d in root.iter() if isinstance(d.tag, str) and etree.QName(d).localname == "decision"}


def files(corpus):
    """[(bpmn path, [dmn paths it calls])] of one corpus."""
    root = CORPORA[corpus]
    tables = {p: _decision_ids(p) for p in root.rglob("*.dmn")}
    found = []
    for path in sorted(root.rglob("*.bpmn")):
        called = {(a or b).decode() for a, b in CALLED.findall(path.read_bytes())}
        found.append((path, sorted(p for p, ids in tables.items() if ids & called
                                   and (p.parent == path.parent or p.parent.parent == path.parent))))
    return found


def _located(body):
    findings = body.get("findings") or []
    texts = [body.get("error") or ""] + list(body.get("errors") or [])
    return bool(any(f.get("element_id") or f.get("line") for f in findings)
                or any(LINE.search(t) for t in texts))


def classify(owner, city, path, dmns, content=None):
    """(outcome, message): deployed+started, deployed+start refused, refused (located or not), 5xx.
    `content`: the diagram's bytes when not the file's own (as a modeler saved it)."""
    data = {"bpmn": (BytesIO(path.read_bytes() if content is None else content), path.name)}
    if dmns:
        data["dmn"] = [(BytesIO(p.read_bytes()), p.name) for p in dmns]
    began = time.monotonic()
    response = owner.client.post("/api/v1/process-definitions", headers=owner.headers, data=data,
                                 content_type="multipart/form-data")
    if response.status_code >= 500:
        return "5xx", f"deploy {response.status_code}"
    body = response.get_json() or {}
    if response.status_code not in (200, 201):
        return ("refused, located" if _located(body) else "refused, not located"), body.get("error", "")
    started = city.post("/process-instances", {"process": body["key"], "data": {}})
    seconds = time.monotonic() - began
    if started.status_code >= 500:
        return "5xx", f"start {started.status_code}"
    if started.status_code == 201:
        return "started", f"{started.get_json()['status']} ({seconds:.1f}s)"
    return "deployed, start refused", (started.get_json() or {}).get("error", "")


class Hang(Exception):
    pass


def _bounded(seconds, step):
    """step() or ("hang", …) when it runs longer than `seconds` (SIGALRM: the main thread only)."""
    def alarm(_signum, _frame):
        raise Hang()
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        return step()
    except Hang:
        return "hang", f"over {seconds}s"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run(owner, city, corpus, seconds=30):
    """{outcome: count} and [(file, outcome, message)] of one corpus."""
    rows = []
    for path, dmns in files(corpus):
        outcome, message = _bounded(seconds, lambda p=path, d=dmns: classify(owner, city, p, d))
        rows.append((str(path.relative_to(CORPORA[corpus])), outcome, message))
    return Counter(outcome for _, outcome, _ in rows), rows


OUTCOMES = ("started", "deployed, start refused", "refused, located", "refused, not located", "5xx", "hang")


def table(counts):
    """The figures of each corpus as text: files, deployed, started, refused, located, 5xx, hangs."""
    lines = [f"{'corpus':<15}{'files':>6}{'deployed':>9}{'started':>8}{'refused':>8}{'located':>8}{'5xx':>5}"
             f"{'hangs':>6}"]
    for corpus, c in counts.items():
        deployed = c["started"] + c["deployed, start refused"]
        refused = c["refused, located"] + c["refused, not located"]
        lines.append(f"{corpus:<15}{sum(c.values()):>6}{deployed:>9}{c['started']:>8}{refused:>8}"
                     f"{c['refused, located']:>8}{c['5xx']:>5}{c['hang']:>6}")
    return "\n".join(lines)
