// The properties panel: exactly what the engine reads, in Chinese. For every element its name; for a task,
// the role of its lane; for a user task, its form (picked from the draft's forms, or a new one), its time
// limit (working days, calendar days or a deadline expression), its 会签 (how many distinct people sign, and the rule)
// and whether its holder may take it back (拿回); a gateway branch's condition;
// a timer's value; a business rule task's called decision; a service task's parameters; an end event's outcome,
// reason and how it ends the case (办结 or 终止, e.g. 撤回); a message event's message (撤回 is a boundary event
// for the message "withdraw" on the steps where the applicant may withdraw). Spiff extension
// elements have no moddle descriptor here: bpmn-js keeps them as generic elements, created with createAny
// (and copied here on copy/paste).
window.WorkspaceProperties = function (modeler, panel) {
  const labels = panel.dataset;
  const modeling = modeler.get('modeling');
  const factory = modeler.get('bpmnFactory');
  const moddle = modeler.get('moddle');
  const SPIFF = 'http://spiffworkflow.org/bpmn/schema/1.0/core';
  const forms = JSON.parse(labels.forms || '[]');
  const roles = JSON.parse(labels.roles || '[]');
  let current = null;

  // bpmn-js copies only elements it has a descriptor for: a pasted task would lose its form, due date and
  // 会签. Spiff's extension elements are generic, so they are copied here, attributes, text and children.
  function copyGeneric(node) {
    const attributes = {};
    Object.keys(node).forEach(function (key) { if (key[0] !== '$') attributes[key] = node[key]; });
    const copy = moddle.createAny(node.$type, node.$descriptor.ns.uri, attributes);
    if (node.$body !== undefined) copy.$body = node.$body;
    if (node.$children) {
      copy.$children = node.$children.map(function (child) {
        const copied = copyGeneric(child);
        copied.$parent = copy;
        return copied;
      });
    }
    return copy;
  }
  modeler.get('eventBus').on('moddleCopy.canCopyProperty', 1500, function (context) {
    const node = context.property;
    if (node && node.$type && !Array.isArray(node) && moddle.getElementDescriptor(node).isGeneric) {
      return copyGeneric(node);
    }
  });

  function children(node, type) {
    return ((node && node.$children) || []).filter(function (c) { return !type || c.$type === type; });
  }
  function extension(bo, type) {
    const values = (bo.extensionElements && bo.extensionElements.values) || [];
    return values.filter(function (v) { return v.$type === type; });
  }
  function property(bo, name) {
    return extension(bo, 'spiffworkflow:properties').reduce(function (found, group) {
      return found || children(group, 'spiffworkflow:property').find(function (p) { return p.name === name; });
    }, null);
  }
  // Set (or, with value null, remove) a spiffworkflow:property, creating its containers when needed.
  function setProperty(element, name, value) {
    const bo = element.businessObject;
    let ext = bo.extensionElements;
    if (!ext) {
      if (value === null) return;
      ext = moddle.create('bpmn:ExtensionElements', { values: [] });
      modeling.updateProperties(element, { extensionElements: ext });
    }
    let group = extension(bo, 'spiffworkflow:properties')[0];
    if (!group) {
      if (value === null) return;
      group = moddle.createAny('spiffworkflow:properties', SPIFF, {});
      group.$children = [];
      ext.values = (ext.values || []).concat([group]);
    }
    const existing = property(bo, name);
    if (value === null) {
      group.$children = children(group).filter(function (c) { return c !== existing; });
    } else if (existing) {
      existing.value = value;
    } else {
      group.$children = children(group).concat([moddle.createAny('spiffworkflow:property', SPIFF,
        { name: name, value: value })]);
    }
    modeling.updateProperties(element, {});
  }

  function caption(text, id) {
    const label = document.createElement('label');
    label.className = 'form-label small mb-0';
    label.htmlFor = id;
    label.textContent = text;
    return label;
  }
  function wrap(label, control, name) {
    const box = document.createElement('div');
    box.className = 'mb-2';
    box.dataset.panelField = name;
    control.id = 'prop-' + name;
    box.appendChild(caption(label, control.id));
    box.appendChild(control);
    panel.appendChild(box);
    return box;
  }
  function field(label, value, onChange, name, type) {
    const input = document.createElement('input');
    input.className = 'form-control form-control-sm' + (type ? '' : ' font-monospace');
    if (type) input.type = type;
    input.dataset.property = name;
    input.value = value == null ? '' : value;
    input.addEventListener('change', function () { onChange(input.value); });
    return wrap(label, input, name);
  }
  function choice(label, options, value, onChange, name) {
    const select = document.createElement('select');
    select.className = 'form-select form-select-sm';
    select.dataset.property = name;
    options.forEach(function (option) {
      const item = document.createElement('option');
      item.value = option[0];
      item.textContent = option[1];
      item.selected = option[0] === (value || '');
      select.appendChild(item);
    });
    select.addEventListener('change', function () { onChange(select.value); });
    return wrap(label, select, name);
  }
  function note(text, kind) {
    const line = document.createElement('div');
    line.className = 'small mb-2 ' + (kind || 'text-muted');
    line.textContent = text;
    panel.appendChild(line);
    return line;
  }
  function link(box, text, href, name) {
    const anchor = document.createElement('a');
    anchor.className = 'small me-2';
    anchor.href = href;
    anchor.target = '_blank';
    anchor.id = 'prop-' + name;
    anchor.textContent = text;
    box.appendChild(anchor);
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

  function laneOf(bo) {
    const lane = modeler.get('elementRegistry').filter(function (e) {
      return e.type === 'bpmn:Lane' && (e.businessObject.flowNodeRef || []).indexOf(bo) >= 0;
    })[0];
    return lane ? lane.businessObject.name || '' : null;
  }
  function roleOf(laneName) {
    const wanted = (laneName || '').trim().toLowerCase();
    return roles.find(function (role) {
      return [role.value, role.label].concat(role.lanes || []).some(function (n) {
        return (n || '').toLowerCase() === wanted;
      });
    });
  }
  function showRole(bo) {
    const lane = laneOf(bo);
    const role = lane === null ? null : roleOf(lane);
    const line = note(role ? labels.roleOf.replace('__ROLE__', role.label) :
      labels.noRole.replace('__LANE__', lane === null ? '—' : lane), role ? 'text-success' : 'text-danger');
    line.id = 'prop-role';
  }

  function days(value) {
    const match = /^"P(\d+)D"$/.exec((value || '').trim());
    return match ? match[1] : null;
  }
  function userTask(element, bo) {
    const formKey = property(bo, 'formKey');
    const options = [['', labels.noForm]].concat(forms.map(function (key) { return [key, key]; }));
    if (formKey && forms.indexOf(formKey.value) < 0) options.push([formKey.value, formKey.value + ' ?']);
    const box = choice(labels.formKey, options, formKey ? formKey.value : '', function (value) {
      setProperty(element, 'formKey', value || null);
      show(element);
    }, 'formKey');
    if (formKey && formKey.value) link(box, labels.editForm, labels.formUrl.replace('__FORM__', formKey.value), 'edit-form');
    link(box, labels.newForm, labels.newFormUrl.replace('__FORM__', bo.id), 'new-form');
    // One time limit: working days (on the package's calendar), calendar days, or a deadline expression.
    const limits = ['dueWorkingDays', 'dueIn', 'dueAt'].filter(function (name) { return property(bo, name); });
    const offered = function (name) { return !limits.length ? name !== 'dueAt' : limits.indexOf(name) >= 0; };
    const working = property(bo, 'dueWorkingDays');
    if (offered('dueWorkingDays') && (!working || /^\d+$/.test(working.value.trim()))) {
      field(labels.dueWorkingDays, working ? working.value : '', function (value) {
        setProperty(element, 'dueWorkingDays', value.trim() ? String(parseInt(value, 10)) : null);
        show(element);
      }, 'dueWorkingDays', 'number');
    } else if (offered('dueWorkingDays')) {  // an expression (a rule parameter: params["answer_days"]) stays one
      field(labels.dueWorkingDaysExpression, working.value, function (value) {
        setProperty(element, 'dueWorkingDays', value.trim() || null);
      }, 'dueWorkingDays');
    }
    const due = property(bo, 'dueIn');
    if (offered('dueIn') && (!due || days(due.value) !== null)) {
      field(labels.dueDays, due ? days(due.value) : '', function (value) {
        setProperty(element, 'dueIn', value.trim() ? '"P' + parseInt(value, 10) + 'D"' : null);
        show(element);
      }, 'dueIn', 'number');
    } else if (offered('dueIn')) {
      field(labels.dueIn, due.value, function (value) { setProperty(element, 'dueIn', value.trim() || null); }, 'dueIn');
    }
    if (offered('dueAt')) {
      field(labels.dueAt, property(bo, 'dueAt').value, function (value) {
        setProperty(element, 'dueAt', value.trim() || null);
      }, 'dueAt');
    }
    const signers = property(bo, 'countersign');
    field(labels.countersign, signers ? signers.value : '', function (value) {
      const count = parseInt(value, 10);
      setProperty(element, 'countersign', count > 1 ? String(count) : null);
      setProperty(element, 'countersignRule', count > 1 ? ((property(bo, 'countersignRule') || {}).value || 'all') : null);
      show(element);
    }, 'countersign', 'number');
    if (signers) {
      const rule = property(bo, 'countersignRule');
      choice(labels.countersignRule, [['all', labels.ruleAll], ['any', labels.ruleAny], ['majority', labels.ruleMajority]],
        rule ? rule.value : 'all', function (value) { setProperty(element, 'countersignRule', value); }, 'countersignRule');
    }
  }

  function takeBack(element, bo) {
    const found = property(bo, 'takeBack');
    choice(labels.takeBack, [['', labels.takeBackAllowed], ['False', labels.takeBackRefused]],
      found ? found.value : '', function (value) { setProperty(element, 'takeBack', value || null); }, 'takeBack');
  }

  // Who may read what a step produces (engine/disclosure.py): roles, and `party` for the case's own organisation.
  function readers(element, bo) {
    const found = property(bo, 'readableBy');
    field(labels.readableBy, found ? found.value : '', function (value) {
      setProperty(element, 'readableBy', value.trim() || null);
    }, 'readableBy');
  }

  // An enterprise's task goes to the case's organisation unless `organization` names another (a complaint's answer).
  function organization(element, bo) {
    const lane = laneOf(bo);
    const role = lane === null ? null : roleOf(lane);
    const found = property(bo, 'organization');
    if (!found && !(role && role.value === 'applicant')) return;
    field(labels.organization, found ? found.value : '', function (value) {
      setProperty(element, 'organization', value.trim() || null);
    }, 'organization');
  }

  function endEvent(element, bo) {
    ['outcome', 'reason'].forEach(function (name) {
      const found = property(bo, name);
      field(labels[name], found ? found.value : '', function (value) {
        setProperty(element, name, value.trim() || null);
      }, name);
    });
    const status = property(bo, 'status');
    choice(labels.status, [['', labels.statusCompleted], ['"terminated"', labels.statusTerminated]],
      status ? status.value : '', function (value) { setProperty(element, 'status', value || null); }, 'status');
  }

  function message(element, definition) {
    const messages = (modeler.getDefinitions().rootElements || []).filter(function (e) {
      return e.$type === 'bpmn:Message';
    });
    const options = [['', labels.noMessage]].concat(messages.map(function (m) { return [m.id, m.name || m.id]; }));
    choice(labels.message, options, definition.messageRef ? definition.messageRef.id : '', function (id) {
      const chosen = messages.find(function (m) { return m.id === id; });
      modeling.updateModdleProperties(element, definition, { messageRef: chosen });
    }, 'message');
  }

  function show(element) {
    current = element;
    panel.innerHTML = '';
    if (!element || element.type === 'label') {
      panel.textContent = labels.empty;
      return;
    }
    const bo = element.businessObject;
    note(bo.$type.replace('bpmn:', '') + ' · ' + bo.id).id = 'prop-element';
    field(element.type === 'bpmn:Lane' ? labels.role : labels.name, bo.name, function (value) {
      modeling.updateProperties(element, { name: value });
    }, 'name');
    if (/Task$/.test(bo.$type) || bo.$type === 'bpmn:CallActivity') showRole(bo);
    if (bo.$type === 'bpmn:UserTask') {
      userTask(element, bo);
      takeBack(element, bo);
      organization(element, bo);
    }
    if (/Task$|^bpmn:(StartEvent|IntermediateCatchEvent|BoundaryEvent|CallActivity)$/.test(bo.$type)) readers(element, bo);
    ['startForm', 'startableBy'].forEach(function (name) {
      const found = property(bo, name);
      if (found) field(name, found.value, function (value) { setProperty(element, name, value || null); }, name);
    });
    extension(bo, 'spiffworkflow:calledDecisionId').forEach(function (node) {
      field(labels.decision, node.$body, function (value) {
        node.$body = value;
        modeling.updateProperties(element, {});
      }, 'calledDecisionId');
    });
    extension(bo, 'spiffworkflow:serviceTaskOperator').forEach(function (operator) {
      note(labels.service + ' ' + (operator.id || ''), 'mb-1');
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
    if (bo.$type === 'bpmn:EndEvent') endEvent(element, bo);
    (bo.eventDefinitions || []).forEach(function (definition) {
      if (definition.$type === 'bpmn:MessageEventDefinition') message(element, definition);
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
