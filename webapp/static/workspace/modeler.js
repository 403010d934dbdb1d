// The BPMN modeler: the latest version's diagram in bpmn-js (palette in Chinese from bpmn-js-i18n),
// lint with the findings listed and marked on their elements, download, upload, deploy.
(async function () {
  const container = document.getElementById('modeler');
  if (!container) return;
  const W = window.Workspace;
  const problem = document.getElementById('modeler-error');
  let filename = container.dataset.filename;
  let marked = [];

  function fail(text, error) {
    container.dataset.error = String(error || text);
    problem.textContent = text + (error ? '（' + (error.message || error) + '）' : '');
    problem.classList.remove('d-none');
  }

  const modules = await W.translateModules(container.dataset.i18nUrl);
  if (typeof BpmnJS === 'undefined') {
    fail(W.texts.importFailed, 'bpmn-js not loaded');
    return;
  }
  // SpiffWorkflow's multi-instance collections and unresolved reference lists survive open-and-save.
  const modeler = new BpmnJS({
    container: container, additionalModules: modules.concat([window.KeptReferences]),
    moddleExtensions: { spiffreading: window.SpiffModdle }
  });
  window.workspaceModeler = modeler;
  let dirty = false;
  modeler.on('commandStack.changed', function () { dirty = true; });
  W.guardUnsaved(function () { return dirty; });
  const panel = document.getElementById('properties-panel');
  if (panel && window.WorkspaceProperties) window.WorkspaceProperties(modeler, panel);

  async function open(xml) {
    try {
      const result = await modeler.importXML(xml);
      modeler.get('canvas').zoom('fit-viewport');
      dirty = false;
      problem.classList.add('d-none');
      showWarnings(result.warnings || []);
      clearMarks();
      container.dataset.ready = 'true';
      return true;
    } catch (error) {
      fail(W.texts.importFailed, error);
      return false;
    }
  }

  // What bpmn-js could not read (an unknown element, a broken reference) is dropped on save: say so.
  function showWarnings(warnings) {
    const box = document.getElementById('import-warnings');
    if (!box) return;
    box.innerHTML = '';
    box.classList.toggle('d-none', !warnings.length);
    if (!warnings.length) return;
    const title = document.createElement('div');
    title.textContent = W.texts.importWarnings.replace('__COUNT__', warnings.length);
    const list = document.createElement('ul');
    list.className = 'mb-0';
    warnings.forEach(function (warning) {
      const item = document.createElement('li');
      item.textContent = warning.message || String(warning);
      list.appendChild(item);
    });
    box.appendChild(title);
    box.appendChild(list);
  }

  function clearMarks() {
    const canvas = modeler.get('canvas');
    modeler.get('overlays').remove({ type: 'lint' });
    marked.forEach(function (id) {
      if (modeler.get('elementRegistry').get(id)) {
        canvas.removeMarker(id, 'lint-error');
        canvas.removeMarker(id, 'lint-policy');
      }
    });
    marked = [];
  }

  function mark(findings) {
    clearMarks();
    const registry = modeler.get('elementRegistry');
    const counts = {};
    findings.forEach(function (finding) {
      const id = finding.element_id;
      if (!id || !registry.get(id)) return;
      counts[id] = counts[id] || { n: 0, policy: true, messages: [] };
      counts[id].n += 1;
      counts[id].policy = counts[id].policy && finding.severity === 'policy';
      counts[id].messages.push(finding.message);
    });
    Object.keys(counts).forEach(function (id) {
      const info = counts[id];
      modeler.get('canvas').addMarker(id, info.policy ? 'lint-policy' : 'lint-error');
      const badge = document.createElement('div');
      badge.className = 'lint-badge' + (info.policy ? ' policy' : '');
      badge.textContent = String(info.n);
      badge.title = info.messages.join('\n');
      modeler.get('overlays').add(id, 'lint', { position: { top: -10, right: 10 }, html: badge });
      marked.push(id);
    });
    container.dataset.marked = marked.join(' ');
  }

  function select(finding) {
    const element = finding.element_id && modeler.get('elementRegistry').get(finding.element_id);
    if (element) {
      modeler.get('selection').select(element);
      modeler.get('canvas').scrollToElement(element);
    }
  }

  async function xml() {
    return (await modeler.saveXML({ format: true })).xml;
  }

  async function run(url, extra) {
    let result;
    try {
      result = await W.post(url, Object.assign({ bpmn: await xml(), filename: filename }, extra || {}));
    } catch (error) {
      W.status(W.texts.requestFailed, 'danger');
      return;
    }
    const findings = W.report(result);
    if (result.data && (result.data.version || result.data.pending)) dirty = false;
    W.showFindings(findings, select);
    mark(findings);
  }

  try {
    const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    await open(await response.text());
  } catch (error) {
    fail(W.texts.importFailed, error);
  }

  document.getElementById('lint-button').addEventListener('click', function () {
    run(container.dataset.lintUrl);
  });
  document.getElementById('deploy-button').addEventListener('click', function () {
    run(container.dataset.deployUrl, W.deployOptions());
  });
  document.getElementById('download-button').addEventListener('click', async function () {
    W.download(await xml(), filename);
  });
  document.getElementById('upload-input').addEventListener('change', function (event) {
    const file = event.target.files[0];
    if (!file) return;
    W.readXml(file).then(async function (text) {
      if (await open(text)) {
        filename = file.name;
        dirty = true;
        W.showFindings([]);
      }
    });
    event.target.value = '';
  });
})();
