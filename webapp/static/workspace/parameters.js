// The rule parameters' table: the values typed are sent as {values: {name: value}} (numbers as numbers);
// the server checks each against its range and keeps the rest of the file as it is.
(function () {
  const panel = document.getElementById('parameters-panel');
  if (!panel) return;
  const W = window.Workspace;
  const state = document.getElementById('parameters-status');
  document.getElementById('parameters-save').addEventListener('click', async function () {
    const values = {};
    panel.querySelectorAll('input[data-type]').forEach(function (input) {
      const raw = input.value.trim();
      values[input.name] = input.dataset.type === 'text' || raw === '' || isNaN(Number(raw)) ? raw : Number(raw);
    });
    const result = await W.post(panel.dataset.saveUrl, { values: values });
    state.className = 'mt-2 alert alert-' + (result.data.ok ? 'success' : 'danger');
    state.textContent = result.data.ok ? W.texts.saved : (result.data.error || W.texts.requestFailed);
    state.dataset.ok = String(Boolean(result.data.ok));
  });
})();
