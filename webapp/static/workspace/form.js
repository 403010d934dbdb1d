// The form editor: the YAML on the left, the form the app would render on the right (rendered by the
// server as the user types), saving into the draft only a definition that parses.
(function () {
  const editor = document.getElementById('form-editor');
  if (!editor) return;
  const W = window.Workspace;
  const source = document.getElementById('form-yaml');
  const preview = document.getElementById('form-preview');
  const saved = document.getElementById('form-save-status');
  const token = (document.querySelector('meta[name="csrf-token"]') || {}).content;
  let timer = null;
  let sequence = 0;

  async function refresh() {
    const mine = ++sequence;
    try {
      const response = await fetch(editor.dataset.previewUrl, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
        body: JSON.stringify({ key: editor.dataset.key, yaml: source.value })
      });
      const html = await response.text();
      if (mine !== sequence) return;
      preview.innerHTML = response.status === 200 || response.status === 422 ? html : '';
      if (!preview.innerHTML) preview.textContent = W.texts.requestFailed;
      preview.dataset.valid = String(response.status === 200);
    } catch (error) {
      preview.textContent = W.texts.requestFailed;
    }
  }

  source.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  document.getElementById('form-upload').addEventListener('change', function (event) {
    const file = event.target.files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = function () {
      source.value = String(reader.result);
      refresh();
    };
    reader.readAsText(file);
    event.target.value = '';
  });
  document.getElementById('form-save').addEventListener('click', async function () {
    const result = await W.post(editor.dataset.saveUrl, { yaml: source.value });
    saved.className = 'mt-2 alert alert-' + (result.data.ok ? 'success' : 'danger');
    saved.textContent = result.data.ok ? W.texts.saved : (result.data.error || W.texts.requestFailed);
  });
  refresh();
})();
