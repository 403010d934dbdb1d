"""Open-and-save in the workspace modeler (bpmn-js in Chromium) keeps what the engine reads, for every BPMN
file of the corpora in tests/data (the MIWG set, SpiffWorkflow's test diagrams): SpiffWorkflow's
multi-instance input and output collections (names of case variables, which bpmn-moddle dropped as
unresolvable references, so diagrams that deployed no longer did), lanes' members (flowNodeRef, also
where another tool wrote ids the file does not have), extension elements and attributes of other
namespaces; and the saved file deploys and starts as the original does."""

import base64

import corpora
import pytest
from api_client import Api
from lxml import etree
from playwright.sync_api import expect

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
STANDARD = (BPMN, "http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DD/20100524/DC",
            "http://www.omg.org/spec/DD/20100524/DI", "http://www.w3.org/2001/XMLSchema-instance")
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
LOOP_DEFAULTS = {("isSequential", "false"), ("behavior", "All")}  # bpmn-js leaves out what is the default
SPIFF = corpora.CORPORA["spiffworkflow"]

# The file's bytes decoded as an upload is (Workspace.readXml), opened in the page's modeler and saved.
SAVE = """async ({content, name}) => {
  const bytes = Uint8Array.from(atob(content), c => c.charCodeAt(0));
  await window.workspaceModeler.importXML(await window.Workspace.readXml(new File([bytes], name)));
  return (await window.workspaceModeler.saveXML({ format: true })).xml;
}"""


def shape(node, skip=()):
    """An element as the engine sees it: name, attributes, text and children, whitespace and order aside (an
    attribute prefixed with its own element's namespace is the unprefixed one, to moddle as to the engine)."""
    own = etree.QName(node).namespace
    attributes = tuple(sorted({(etree.QName(k).localname if etree.QName(k).namespace == own else k, v)
                               for k, v in node.attrib.items() if (etree.QName(k).localname, v) not in skip}))
    children = tuple(sorted(shape(c) for c in node if isinstance(c.tag, str)))
    return node.tag, attributes, (node.text or "").strip(), children


def engine_reads(content):
    """What open-and-save must keep: each lane's members, each multi-instance loop whole, and every element
    and attribute of a namespace other than BPMN's own (spiffworkflow, camunda…) on a BPMN element (the
    diagram's layout, BPMN DI, is bpmn-js's to rewrite; the engine never reads it)."""
    root = etree.fromstring(content, PARSER)
    lanes = sorted((lane.get("id"), (ref.text or "").strip()) for lane in root.iter(f"{{{BPMN}}}lane")
                   for ref in lane.iterfind(f"{{{BPMN}}}flowNodeRef"))
    loops = sorted((loop.getparent().get("id"), shape(loop, LOOP_DEFAULTS))
                   for loop in root.iter(f"{{{BPMN}}}multiInstanceLoopCharacteristics"))
    foreign = []
    for node in root.iter(f"{{{BPMN}}}*"):
        foreign += [(node.get("id"), shape(child)) for child in node
                    if isinstance(child.tag, str) and etree.QName(child).namespace not in STANDARD]
        foreign += [(node.get("id"), k, v) for k, v in node.attrib.items()
                    if etree.QName(k).namespace not in (None, *STANDARD)]
    return {"lanes": lanes, "loops": loops, "foreign": sorted(foreign, key=repr)}


@pytest.fixture
def modeler(login_as):
    page = login_as("owner")
    page.goto("/workspace/provider_selection")
    expect(page.locator('#modeler[data-ready="true"]')).to_be_attached()
    return page


@pytest.fixture
def api(own_app):
    """(owner, city) through the API of an app of the test's own: the corpora's keys stay out of the others'."""
    with own_app.app_context():
        client = own_app.test_client()
        yield Api(client, "owner"), Api(client, "city")


def save_in(page, path):
    return page.evaluate(SAVE, {"content": base64.b64encode(path.read_bytes()).decode(), "name": path.name})


def test_every_corpus_file_keeps_what_the_engine_reads_and_deploys_as_before(modeler, api):
    owner, city = api
    lost, moved = {}, {}
    for corpus in corpora.CORPORA:
        for path, dmns in corpora.files(corpus):
            saved = save_in(modeler, path).encode()
            before, after = engine_reads(path.read_bytes()), engine_reads(saved)
            missing = {part: [x for x in before[part] if x not in after[part]] for part in before}
            if any(missing.values()):
                lost[path.name] = missing
            original = corpora.classify(owner, city, path, dmns)[0]
            again = corpora.classify(owner, city, path, dmns, content=saved)[0]
            if again != original:
                moved[str(path.relative_to(corpora.DATA))] = (original, again)
    assert lost == {}
    assert moved == {}


def test_a_multi_instance_diagram_keeps_its_collections_and_still_deploys(modeler, api):
    owner, _city = api
    saved = save_in(modeler, SPIFF / "spiff" / "data" / "spiff_multiinstance.bpmn")
    assert "<bpmn:loopDataInputRef>input_data</bpmn:loopDataInputRef>" in saved
    assert "<bpmn:loopDataOutputRef>output_data</bpmn:loopDataOutputRef>" in saved
    assert '<bpmn:inputDataItem id="input_item" name="input item" />' in saved
    assert "<spiffworkflow:preScript>input_data = [ v + 1 for v in input_data ]</spiffworkflow:preScript>" in saved
    path = SPIFF / "spiff" / "data" / "spiff_multiinstance.bpmn"
    assert corpora.classify(owner, _city, path, [], content=saved.encode())[0] != "refused, located"


def test_lanes_keep_members_whose_ids_the_file_does_not_have(modeler):
    """BonitaSoft wrote Approvals.bpmn's lane members without their process prefix (Start1 for
    Approvals.Start1): bpmn-moddle cannot resolve them and dropped every one on save."""
    saved = save_in(modeler, SPIFF / "bpmn" / "data" / "Approvals.bpmn")
    lanes = engine_reads(saved.encode())["lanes"]
    assert ("Approvals.Test", "Start1") in lanes and ("Approvals.Supervisor", "Gateway4") in lanes
    assert lanes == engine_reads((SPIFF / "bpmn" / "data" / "Approvals.bpmn").read_bytes())["lanes"]
    expect(modeler.locator("#import-warnings")).to_be_hidden()  # nothing of them is lost: no warning
