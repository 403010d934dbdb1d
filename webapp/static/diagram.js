// Draw the diagram in #diagram with bpmn-js. On a case page (#case-state present) mark completed
// steps, current steps and the path taken. Any failure becomes a message, never a blank box.
(async function () {
  const container = document.getElementById('diagram');
  if (!container) return;
  const problem = document.getElementById('diagram-error');
  function fail(text, error) {
    container.dataset.error = String(error || text);
    container.classList.add('d-none');
    problem.textContent = text;
    problem.classList.remove('d-none');
  }
  try {
    if (typeof BpmnJS === 'undefined') throw new Error('bpmn-js not loaded');
    const viewer = new BpmnJS({ container: container });
    const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    const result = await viewer.importXML(await response.text());
    const registry = viewer.get('elementRegistry');
    const canvas = viewer.get('canvas');
    if (!registry.filter(function (element) { return element.parent && element.type !== 'label'; }).length) {
      fail(container.dataset.emptyText, 'nothing drawn');
      return;
    }
    const stateNode = document.getElementById('case-state');
    if (stateNode) {
      const state = JSON.parse(stateNode.textContent);
      const done = new Set(state.completed);
      const current = new Set(state.active);
      registry.forEach(function (element) {
        if (element.type === 'bpmn:SequenceFlow') {
          if (done.has(element.source.id) && (done.has(element.target.id) || current.has(element.target.id))) {
            canvas.addMarker(element.id, 'taken');
          }
        } else if (current.has(element.id)) {
          canvas.addMarker(element.id, 'current');
        } else if (done.has(element.id)) {
          canvas.addMarker(element.id, 'done');
        }
      });
    }
    canvas.zoom('fit-viewport');
    container.dataset.warnings = String(((result && result.warnings) || []).length);
    // Elements of the process that have no shape in the diagram interchange are not drawn: say so.
    const missing = [];
    (function walk(elements) {
      (elements || []).forEach(function (element) {
        if (element.$type !== 'bpmn:DataObject' && !registry.get(element.id)) missing.push(element.id);
        walk(element.flowElements);
      });
    })([].concat.apply([], (viewer.getDefinitions().rootElements || []).map(function (root) {
      return root.$type === 'bpmn:Process' ? root.flowElements || [] : [];
    })));
    container.dataset.missing = String(missing.length);
    if (missing.length) {
      const note = document.getElementById('diagram-warning');
      note.textContent = container.dataset.warningText.replace('__COUNT__', String(missing.length));
      note.classList.remove('d-none');
    }
    container.dataset.ready = 'true';
  } catch (error) {
    fail(container.dataset.failedText, error);
  }
})();
