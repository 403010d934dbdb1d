// A small properties panel for exactly what the engine reads: the element's name (a lane's name is its
// role), a user task's form key, a gateway branch's condition, a timer's value, a business rule task's
// called decision, and a service task's parameters (the notice period among them). Spiff extension
// elements have no moddle descriptor here, so bpmn-js keeps them as generic elements that are edited in place.
window.WorkspaceProperties = function (modeler, panel) {
  const labels = panel.dataset;
  const modeling = modeler.get('modeling');
  const factory = modeler.get('bpmnFactory');
  let current = null;

  function children(node, type) {
    return ((node && node.$children) || []).filter(function (c) { return !type || c.$type === type; });
  }
  function extension(bo, type) {
    const values = (bo.extensionElements && bo.extensionElements.values) || [];
    return values.filter(function (v) { return v.$type === type; });
  }
  function field(label, value, onChange, name) {
    const wrap = document.createElement('div');
    wrap.className = 'mb-2';
    const id = 'prop-' + name;
    const caption = document.createElement('label');
    caption.className = 'form-label small mb-0';
    caption.htmlFor = id;
    caption.textContent = label;
    const input = document.createElement('input');
    input.className = 'form-control form-control-sm font-monospace';
    input.id = id;
    input.dataset.property = name;
    input.value = value == null ? '' : value;
    input.addEventListener('change', function () { onChange(input.value); });
    wrap.appendChild(caption);
    wrap.appendChild(input);
    panel.appendChild(wrap);
  }
  function expressionField(label, element, holder, key, name) {
    const expression = holder[key];
    field(label, expression ? expression.body : '', function (value) {
      const properties = {};
      properties[key] = value.trim() ? factory.create('bpmn:FormalExpression', { body: value }) : undefined;
      if (holder === element.businessObject) modeling.updateProperties(element, properties);
      else modeling.updateModdleProperties(element, holder, properties);
    }, name);
  }

  function show(element) {
    current = element;
    panel.innerHTML = '';
    if (!element || element.type === 'label') {
      panel.textContent = labels.empty;
      return;
    }
    const bo = element.businessObject;
    const title = document.createElement('div');
    title.className = 'small text-muted mb-2';
    title.textContent = bo.$type.replace('bpmn:', '') + ' · ' + bo.id;
    panel.appendChild(title);
    field(element.type === 'bpmn:Lane' ? labels.role : labels.name, bo.name, function (value) {
      modeling.updateProperties(element, { name: value });
    }, 'name');
    extension(bo, 'spiffworkflow:properties').forEach(function (group) {
      children(group, 'spiffworkflow:property').forEach(function (property) {
        if (['formKey', 'dueIn', 'startForm', 'startableBy'].indexOf(property.name) < 0) return;
        field((property.name === 'formKey' ? labels.formKey : property.name), property.value, function (value) {
          property.value = value;
          modeling.updateProperties(element, {});
        }, property.name);
      });
    });
    extension(bo, 'spiffworkflow:calledDecisionId').forEach(function (node) {
      field(labels.decision, node.$body, function (value) {
        node.$body = value;
        modeling.updateProperties(element, {});
      }, 'calledDecisionId');
    });
    extension(bo, 'spiffworkflow:serviceTaskOperator').forEach(function (operator) {
      const note = document.createElement('div');
      note.className = 'small mb-1';
      note.textContent = labels.service + ' ' + (operator.id || '');
      panel.appendChild(note);
      children(operator, 'spiffworkflow:parameters').forEach(function (group) {
        children(group, 'spiffworkflow:parameter').forEach(function (parameter) {
          field(parameter.id, parameter.value, function (value) {
            parameter.value = value;
            modeling.updateProperties(element, {});
          }, 'parameter-' + parameter.id);
        });
      });
    });
    if (element.type === 'bpmn:SequenceFlow' && bo.sourceRef &&
        /Gateway$/.test(bo.sourceRef.$type) && bo.sourceRef.$type !== 'bpmn:ParallelGateway') {
      expressionField(labels.condition, element, bo, 'conditionExpression', 'condition');
    }
    (bo.eventDefinitions || []).forEach(function (definition) {
      if (definition.$type !== 'bpmn:TimerEventDefinition') return;
      const key = ['timeDate', 'timeDuration', 'timeCycle'].find(function (k) { return definition[k]; }) || 'timeDuration';
      expressionField(labels.timer + ' (' + key + ')', element, definition, key, 'timer');
    });
  }

  modeler.on('selection.changed', function (event) { show(event.newSelection[0] || null); });
  modeler.on('import.done', function () { show(null); });
  modeler.on('elements.changed', function (event) {
    if (current && event.elements.indexOf(current) >= 0 && !panel.contains(document.activeElement)) show(current);
  });
  show(null);
};
