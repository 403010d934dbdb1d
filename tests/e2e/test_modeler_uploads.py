"""Uploading a diagram into the modeler, in Chromium: a GBK file keeps its Chinese names (decoded by its
XML declaration, as the API decodes it), and what bpmn-js could not read is shown as a warning."""

from playwright.sync_api import expect

GBK = ('<?xml version="1.0" encoding="GBK"?>\n'
       '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
       ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"'
       ' id="d" targetNamespace="urn:t">\n'
       '<bpmn:process id="gbk_probe" name="区级初审" isExecutable="true">\n'
       '<bpmn:startEvent id="start" name="申报开始" />{extra}\n</bpmn:process>\n'
       '<bpmndi:BPMNDiagram id="di"><bpmndi:BPMNPlane id="plane" bpmnElement="gbk_probe">'
       '<bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="100" y="100" width="36" height="36" />'
       '</bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n')


def upload(page, name, content):
    page.goto("/workspace/provider_selection")
    expect(page.locator('#modeler[data-ready="true"]')).to_be_attached()
    page.set_input_files("#upload-input", files=[{"name": name, "mimeType": "application/xml", "buffer": content}])


def test_a_gbk_file_keeps_its_chinese_names(login_as):
    page = login_as("owner")
    upload(page, "gbk.bpmn", GBK.format(extra="").encode("gbk"))
    expect(page.locator('#modeler .djs-element[data-element-id="start_label"]')).to_contain_text("申报开始")
    saved = page.evaluate("async () => (await window.workspaceModeler.saveXML()).xml")
    assert 'name="申报开始"' in saved and "�" not in saved
    expect(page.locator("#import-warnings")).to_be_hidden()


def test_import_warnings_are_shown(login_as):
    page = login_as("owner")
    broken = GBK.format(extra='<bpmn:sequenceFlow id="f" sourceRef="start" targetRef="nowhere" />')
    upload(page, "warn.bpmn", broken.encode("utf-8").replace(b'encoding="GBK"', b'encoding="UTF-8"'))
    expect(page.locator("#import-warnings")).to_be_visible()
    expect(page.locator("#import-warnings")).to_contain_text("nowhere")
