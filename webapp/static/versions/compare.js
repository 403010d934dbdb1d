// Two versions side by side: draw each diagram with the bpmn-js NavigatedViewer and mark what the
// server's comparison found (removed and changed on the old one, added and changed on the new one).
(function () {
  const marksNode = document.getElementById('diff-marks');
  if (!marksNode) return;
  const marks = JSON.parse(marksNode.textContent);
  document.querySelectorAll('.diff-diagram').forEach(async function (container) {
    try {
      if (typeof BpmnJS === 'undefined') throw new Error('bpmn-js not loaded');
      const viewer = new BpmnJS({ container: container });
      const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      await viewer.importXML(await response.text());
      const registry = viewer.get('elementRegistry');
      const canvas = viewer.get('canvas');
      const side = marks[container.dataset.side] || {};
      let marked = 0;
      let undrawn = 0;
      Object.keys(side).forEach(function (kind) {
        side[kind].forEach(function (id) {
          if (registry.get(id)) {
            canvas.addMarker(id, 'diff-' + kind);
            marked += 1;
          } else {
            undrawn += 1;
          }
        });
      });
      canvas.zoom('fit-viewport');
      container.dataset.marked = String(marked);
      if (undrawn) {  // an element without a shape in the diagram interchange: it is only in the list below
        const note = document.createElement('div');
        note.className = 'alert alert-warning small mt-1 mb-0 diff-undrawn';
        note.textContent = container.dataset.undrawnText.replace('__COUNT__', String(undrawn));
        container.after(note);
      }
      container.dataset.ready = 'true';
    } catch (error) {
      container.dataset.error = String(error);
      const note = document.createElement('div');
      note.className = 'alert alert-danger m-2';
      note.textContent = container.dataset.failedText;
      container.replaceChildren(note);
    }
  });
})();
