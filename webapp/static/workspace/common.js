// Shared by the workspace editors: JSON posts with the page's CSRF token, the findings list and the
// deploy box (change note, policy-change confirmation with a reason).
window.Workspace = (function () {
  const texts = (document.getElementById('workspace-texts') || { dataset: {} }).dataset;
  const token = (document.querySelector('meta[name="csrf-token"]') || {}).content;

  async function post(url, body) {
    const response = await fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
      body: JSON.stringify(body)
    });
    const type = response.headers.get('Content-Type') || '';
    const data = type.indexOf('json') >= 0 ? await response.json() : { error: texts.requestFailed };
    return { status: response.status, data: data };
  }

  // An uploaded XML file as text, decoded as the API decodes it: UTF-8, else the encoding its XML
  // declaration names (GBK, ISO-8859-1…), so Chinese names arrive intact.
  async function readXml(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (notUtf8) {
      const head = new TextDecoder('latin1').decode(bytes.slice(0, 200));
      const declared = /encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
      // The text is Unicode now (and saved as UTF-8): its declaration must say so.
      return new TextDecoder(declared ? declared[1] : 'latin1').decode(bytes)
        .replace(/^(<\?xml[^>]*encoding\s*=\s*["'])[^"']+/, '$1UTF-8');
    }
  }

  function status(text, kind) {
    const box = document.getElementById('workspace-status');
    box.className = 'mt-2 alert alert-' + (kind || 'info');
    box.textContent = text;
  }

  // findings: [{file, line, element_id, message, severity}]; onSelect(finding) when one is clicked.
  function showFindings(findings, onSelect) {
    const list = document.getElementById('lint-findings');
    list.innerHTML = '';
    (findings || []).forEach(function (finding) {
      const item = document.createElement('li');
      item.className = 'list-group-item list-group-item-' + (finding.severity === 'policy' ? 'warning' : 'danger');
      item.dataset.elementId = finding.element_id || '';
      const where = [finding.file, finding.line ? texts.line.replace('__LINE__', finding.line) : '',
        finding.element_id ? '#' + finding.element_id : ''].filter(Boolean).join(' · ');
      const small = document.createElement('small');
      small.className = 'text-muted d-block';
      small.textContent = where;
      item.appendChild(small);
      item.appendChild(document.createTextNode(finding.message));
      if (onSelect) item.addEventListener('click', function () { onSelect(finding); });
      list.appendChild(item);
    });
  }

  function showPolicy(needed) {
    document.getElementById('policy-box').classList.toggle('d-none', !needed);
  }

  // Report a lint or deploy answer; returns the findings.
  function report(result) {
    const data = result.data || {};
    if (result.status >= 500 || (!data.findings && !data.ok && !data.version && !data.pending)) {
      status(data.error || texts.requestFailed, 'danger');
      showFindings([]);
      return [];
    }
    const findings = data.findings || [];
    if (data.pending) {
      const link = document.createElement('a');
      link.href = data.url;
      link.textContent = texts.approvalCase.replace('__ID__', data.change_id);
      status(texts.pending, 'success');
      document.getElementById('workspace-status').appendChild(link);
      document.getElementById('workspace-status').dataset.pending = String(data.change_id);
      showPolicy(false);
    } else if (data.version) {
      const link = document.createElement('a');
      link.href = data.url;
      link.textContent = data.key + ' v' + data.version;
      status((data.created ? texts.deployed : texts.unchanged) + '：', 'success');
      document.getElementById('workspace-status').appendChild(link);
      document.getElementById('workspace-status').dataset.version = String(data.version);
      showPolicy(false);
    } else if (findings.some(function (f) { return f.severity !== 'policy'; })) {
      status(data.error, 'danger');  // an error refuses the change whatever is confirmed
      showPolicy(Boolean(data.policy_change));
    } else if (data.policy_change) {
      status(texts.policy, 'warning');
      showPolicy(true);
    } else {
      status(texts.lintOk, 'success');
      showPolicy(false);
    }
    return findings;
  }

  function deployOptions() {
    return {
      note: document.getElementById('deploy-note').value,
      confirm_policy_change: document.getElementById('confirm-policy-change').checked,
      reason: document.getElementById('policy-reason').value
    };
  }

  function download(text, filename) {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type: 'application/xml' }));
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  // A diagram-js `translate` module from the dictionary an editor's data-i18n-url names (an ES module
  // exporting {English: Chinese}); none (English, or the dictionary fails to load) leaves the English.
  async function translateModules(url) {
    if (!url) return [];
    let dictionary;
    try {
      dictionary = (await import(url)).default;
    } catch (error) {
      return [];
    }
    return [{
      translate: ['value', function (template, replacements) {
        const text = dictionary[template] || template;
        return text.replace(/{([^}]+)}/g, function (all, key) {
          return replacements && key in replacements ? replacements[key] : all;
        });
      }]
    }];
  }

  // Warn before leaving a page whose editor has unsaved changes (dirty() says so).
  function guardUnsaved(dirty) {
    window.addEventListener('beforeunload', function (event) {
      if (dirty()) {
        event.preventDefault();
        event.returnValue = '';
      }
    });
  }

  return { texts: texts, post: post, readXml: readXml, status: status, showFindings: showFindings, report: report,
    deployOptions: deployOptions, download: download, translateModules: translateModules,
    guardUnsaved: guardUnsaved };
})();
