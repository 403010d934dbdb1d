// The decision table editor (dmn-js, in Chinese from dmn-zh.js): undo and redo (buttons, Ctrl+Z / Ctrl+Y),
// lint and "save" = deploy the process with this table replaced.
(async function () {
  const container = document.getElementById('dmn-editor');
  if (!container) return;
  const W = window.Workspace;
  const problem = document.getElementById('modeler-error');
  function fail(text, error) {
    container.dataset.error = String(error || text);
    problem.textContent = text + (error ? '（' + (error.message || error) + '）' : '');
    problem.classList.remove('d-none');
  }
  if (typeof DmnJS === 'undefined') {
    fail(W.texts.dmnImportFailed, 'dmn-js not loaded');
    return;
  }
  const modules = await W.translateModules(container.dataset.i18nUrl);
  // dmn-js takes each view's modules on its own (common.additionalModules would be overridden).
  const editor = new DmnJS({
    container: container, common: { keyboard: { bindTo: window } },
    decisionTable: { additionalModules: modules }, drd: { additionalModules: modules },
    literalExpression: { additionalModules: modules }
  });
  window.workspaceDmn = editor;
  let dirty = false;
  W.guardUnsaved(function () { return dirty; });
  const undo = document.getElementById('undo-button');
  const redo = document.getElementById('redo-button');
  function commands() {
    const viewer = editor.getActiveViewer();
    return viewer ? viewer.get('commandStack') : null;
  }
  function refresh() {
    const stack = commands();
    undo.disabled = !stack || !stack.canUndo();
    redo.disabled = !stack || !stack.canRedo();
  }
  // dmn-js's cell editor re-commits the text that undo has just restored; as a command that would clear
  // redo, so an edit that changes nothing is not executed.
  function skipUnchanged(stack) {
    const execute = stack.execute.bind(stack);
    stack.execute = function (command, context) {
      const element = context && context.element;
      const target = element && (element.businessObject || element);
      const properties = (context && context.properties) || {};
      const same = command === 'element.updateProperties' && target &&
        Object.keys(properties).every(function (name) { return target[name] === properties[name]; });
      if (!same) execute(command, context);
    };
  }
  const watched = new Set();
  editor.on('views.changed', function () {
    const viewer = editor.getActiveViewer();
    if (viewer && !watched.has(viewer)) {
      watched.add(viewer);
      skipUnchanged(viewer.get('commandStack'));
      viewer.on('commandStack.changed', function () { dirty = true; refresh(); });
    }
    refresh();
  });
  undo.addEventListener('click', function () { if (commands()) commands().undo(); });
  redo.addEventListener('click', function () { if (commands()) commands().redo(); });
  async function open(xml) {
    try {
      await editor.importXML(xml);
      const table = editor.getViews().find(function (view) { return view.type === 'decisionTable'; });
      if (table) await editor.open(table);
      problem.classList.add('d-none');
      container.dataset.ready = 'true';
      dirty = false;
      refresh();
      return true;
    } catch (error) {
      fail(W.texts.dmnImportFailed, error);
      return false;
    }
  }

  try {
    const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    if (!await open(await response.text())) return;
  } catch (error) {
    fail(W.texts.dmnImportFailed, error);
    return;
  }

  async function xml() {
    return (await editor.saveXML({ format: true })).xml;
  }

  async function run(url, extra) {
    let result;
    try {
      result = await W.post(url, Object.assign({
        key: container.dataset.key, edit: { file: container.dataset.file, xml: await xml() }
      }, extra || {}));
    } catch (error) {
      W.status(W.texts.requestFailed, 'danger');
      return;
    }
    W.showFindings(W.report(result));
    if (result.data && (result.data.version || result.data.pending)) dirty = false;
  }

  document.getElementById('lint-button').addEventListener('click', function () {
    run(container.dataset.lintUrl);
  });
  document.getElementById('deploy-button').addEventListener('click', function () {
    run(container.dataset.deployUrl, W.deployOptions());
  });
  document.getElementById('upload-input').addEventListener('change', function (event) {
    const file = event.target.files[0];
    if (!file) return;
    W.readXml(file).then(async function (text) {
      if (await open(text)) W.showFindings([]);
    });
    event.target.value = '';
  });
  document.getElementById('download-button').addEventListener('click', async function () {
    W.download(await xml(), container.dataset.file);
  });
})();
