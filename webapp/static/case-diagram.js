// Draw the case's diagram and mark completed steps, current steps and the path taken.
(async function () {
  const container = document.getElementById('diagram');
  if (!container) return;
  const state = JSON.parse(document.getElementById('case-state').textContent);
  const viewer = new BpmnJS({ container });
  const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' });
  const result = await viewer.importXML(await response.text());
  const canvas = viewer.get('canvas');
  const done = new Set(state.completed);
  const current = new Set(state.active);
  viewer.get('elementRegistry').forEach(function (element) {
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
  canvas.zoom('fit-viewport');
  container.dataset.warnings = String(result.warnings.length);
  container.dataset.ready = 'true';
})().catch(function (error) {
  const container = document.getElementById('diagram');
  container.dataset.error = String(error);
  container.textContent = container.dataset.failedText || '流程图无法显示';
});
