// A YAML part of the draft (a choice list, the rule parameters, the scenarios): saved into the draft only
// when the server reads it; what it refuses is said beside the editor, and the text stays as typed.
(function () {
  const editor = document.getElementById('yaml-editor');
  if (!editor) return;
  const W = window.Workspace;
  const source = document.getElementById('yaml-source');
  const state = document.getElementById('yaml-status');
  document.getElementById('yaml-save').addEventListener('click', async function () {
    const result = await W.post(editor.dataset.saveUrl, { yaml: source.value });
    state.className = 'mt-2 alert alert-' + (result.data.ok ? 'success' : 'danger');
    state.textContent = result.data.ok ? W.texts.saved : (result.data.error || W.texts.requestFailed);
    state.dataset.ok = String(Boolean(result.data.ok));
  });
})();
