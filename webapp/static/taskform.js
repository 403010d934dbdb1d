// A total on a task form (a field with sum_of in its form file) follows its parts as they are typed;
// the server computes and checks it again, so this is only what the person sees while filling in.
document.querySelectorAll('input[data-sum-of]').forEach(function (total) {
  var parts = total.dataset.sumOf.split(',').map(function (name) { return total.form.elements[name]; });
  function update() {
    var values = parts.map(function (part) { return part && part.value.trim() !== '' ? Number(part.value) : NaN; });
    if (values.some(isNaN)) { total.value = ''; return; }
    var sum = values.reduce(function (a, b) { return a + b; }, 0);
    total.value = String(Math.round(sum * 100) / 100);
  }
  parts.forEach(function (part) { if (part) { part.addEventListener('input', update); } });
  update();
});

// 暂存 while typing: every change is kept in this browser, and every minute with changes the form goes
// to the server as the task's draft (files excepted: 暂存's button keeps those). When the session has
// expired the server refuses, and the browser's copy is what is left: it is put back the next time this
// page opens, if it is newer than the server's draft.
(function () {
  var form = document.getElementById('task-form');
  var status = document.getElementById('draft-status');
  if (!form || !status) return;
  var key = 'task-draft:' + status.dataset.autosaveUrl;
  var serverSavedAt = Date.parse(status.dataset.savedAt || '') || 0;
  var changed = false;

  function typed() {
    var data = new FormData(form);
    form.querySelectorAll('input[type=file]').forEach(function (input) { data.delete(input.name); });
    return data;
  }
  function entries() {
    return Array.from(typed().entries()).filter(function (e) { return e[0] !== 'csrf_token'; });
  }
  function restore(saved) {
    var values = {};
    saved.forEach(function (e) { (values[e[0]] = values[e[0]] || []).push(e[1]); });
    Object.keys(values).forEach(function (name) {
      form.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach(function (element) {
        if (element.type === 'checkbox' || element.type === 'radio') {
          element.checked = values[name].indexOf(element.value) >= 0;
        } else if (element.tagName === 'SELECT' && element.multiple) {
          Array.from(element.options).forEach(function (o) { o.selected = values[name].indexOf(o.value) >= 0; });
        } else if (element.type !== 'file' && element.type !== 'hidden') {
          element.value = values[name][0];
        }
      });
    });
  }

  try {
    var local = JSON.parse(localStorage.getItem(key) || 'null');
    if (local && local.at > serverSavedAt) {
      restore(local.entries);
      status.textContent = status.dataset.restoreText;
      changed = true;
    }
  } catch (error) { /* an unreadable copy is no copy */ }

  form.addEventListener('input', function () {
    changed = true;
    try { localStorage.setItem(key, JSON.stringify({ at: Date.now(), entries: entries() })); } catch (error) { /* full */ }
  });

  setInterval(function () {
    if (!changed) return;
    changed = false;
    fetch(status.dataset.autosaveUrl, { method: 'POST', body: typed(), credentials: 'same-origin', redirect: 'manual' })
      .then(function (response) {
        if (response.ok) {
          localStorage.removeItem(key);
          status.textContent = status.dataset.savedText;
        } else {
          status.textContent = status.dataset.expiredText;  // signed out, or the page's token refused
          status.classList.add('text-danger');
        }
      })
      .catch(function () { changed = true; });  // offline: try again at the next tick
  }, Number(status.dataset.interval || 60000));
})();
