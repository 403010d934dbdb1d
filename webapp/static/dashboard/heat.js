// Each step's figures drawn on a version's diagram (bpmn-js NavigatedViewer): a badge with its waiting
// cases, median and 90th-percentile time and on-time share, and a heat colour by the chosen measure —
// one scale for both versions when two are compared, so a slower step looks hotter on either side.
(function () {
  const sides = document.getElementById('heat-sides');
  if (!sides) return;
  const words = sides.dataset;
  const LEVELS = 5;
  const viewers = [];

  function days(seconds) {
    return (seconds / 86400).toFixed(1);
  }

  function badge(step) {
    const box = document.createElement('div');
    box.className = 'heat-badge';
    const lines = [words.textWaiting.replace('__N__', String(step.waiting))];
    if (step.median_s !== null) {
      lines.push(words.textMedian.replace('__D__', days(step.median_s)));
      lines.push(words.textP90.replace('__D__', days(step.p90_s)));
    }
    if (step.on_time_rate !== null) lines.push(words.textOnTime.replace('__R__', String(step.on_time_rate)));
    lines.forEach(function (text) {
      const line = document.createElement('div');
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }

  // Levels spread the drawn steps' values from the lowest to the highest, over both versions.
  function paint(metric) {
    const values = [];
    viewers.forEach(function (v) {
      v.drawn.forEach(function (id) { values.push(v.steps[id][metric] || 0); });
    });
    const low = Math.min.apply(null, values.concat([0]));
    const high = Math.max.apply(null, values.concat([0]));
    viewers.forEach(function (v) {
      const canvas = v.viewer.get('canvas');
      Object.keys(v.steps).forEach(function (id) {
        if (!v.drawn.has(id)) return;
        for (let n = 0; n < LEVELS; n += 1) canvas.removeMarker(id, 'heat-' + n);
        const value = v.steps[id][metric] || 0;
        const level = high > low ? Math.round((value - low) / (high - low) * (LEVELS - 1)) : 0;
        canvas.addMarker(id, 'heat-' + level);
        v.container.dataset['heat_' + id] = String(level);
      });
      v.container.dataset.metric = metric;
    });
  }

  async function show(container, steps) {
    const viewer = new BpmnJS({ container: container });
    const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    await viewer.importXML(await response.text());
    const registry = viewer.get('elementRegistry');
    const overlays = viewer.get('overlays');
    const drawn = new Set();
    Object.keys(steps).forEach(function (id) {
      if (!registry.get(id)) return;
      drawn.add(id);
      overlays.add(id, 'heat', { position: { bottom: 4, left: 0 }, html: badge(steps[id]) });
    });
    viewer.get('canvas').zoom('fit-viewport');
    container.dataset.badges = String(drawn.size);
    return { viewer: viewer, steps: steps, drawn: drawn, container: container };
  }

  const metric = document.getElementById('heat-metric');
  Promise.all(Array.from(sides.querySelectorAll('.heat-side')).map(function (side) {
    const container = side.querySelector('.heat-diagram');
    const steps = JSON.parse(side.querySelector('.heat-steps').textContent);
    return show(container, steps).then(function (shown) {
      viewers.push(shown);
    }).catch(function (error) {
      container.dataset.error = String(error);
      const note = document.createElement('div');
      note.className = 'alert alert-danger m-2';
      note.textContent = words.failedText;
      container.replaceChildren(note);
    });
  })).then(function () {
    paint(metric.value);
    metric.addEventListener('change', function () { paint(metric.value); });
    sides.dataset.ready = 'true';
  });
})();
