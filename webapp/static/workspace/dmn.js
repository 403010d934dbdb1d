// The decision table editor (dmn-js): lint and "save" = deploy the process with this table replaced.
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
  const editor = new DmnJS({ container: container });
  window.workspaceDmn = editor;
  async function open(xml) {
    try {
      await editor.importXML(xml);
      const table = editor.getViews().find(function (view) { return view.type === 'decisionTable'; });
      if (table) await editor.open(table);
      problem.classList.add('d-none');
      container.dataset.ready = 'true';
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
    const reader = new FileReader();
    reader.onload = async function () {
      if (await open(String(reader.result))) W.showFindings([]);
    };
    reader.readAsText(file);
    event.target.value = '';
  });
  document.getElementById('download-button').addEventListener('click', async function () {
    W.download(await xml(), container.dataset.file);
  });
})();
