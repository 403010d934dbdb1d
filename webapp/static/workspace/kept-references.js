// A bpmn-js module: references bpmn-moddle cannot resolve are kept, so open-and-save writes what was read.
// bpmn-moddle drops a reference that names nothing in the file (a lane's flowNodeRef written by another
// tool with other ids, a correlation key's property, a flow node's incoming flow); saving then lost the
// lane's membership. Each list that lost one is rebuilt in its order, an unresolved entry as a stand-in
// that carries only the id (never drawn, never contained, written back as the id), and its import warning
// is withdrawn: nothing of it is lost any more. Single references (a flow's targetRef) stay as bpmn-js
// reads them, and warned about.
window.KeptReferences = {
  __init__: ['keptReferences'],
  keptReferences: ['type', function KeptReferences(eventBus, moddle) {
    eventBus.on('import.parse.complete', function (event) {
      if (event.error || !event.references) return;
      const byId = event.elementsById || {};
      const lists = new Map();  // element → {property name: [references in document order]}
      event.references.forEach(function (reference) {
        const property = reference.element.$descriptor.propertiesByName[reference.property];
        if (!property || !property.isMany) return;
        const owned = lists.get(reference.element) || {};
        (owned[property.name] = owned[property.name] || { property: property, refs: [] }).refs.push(reference);
        lists.set(reference.element, owned);
      });
      const kept = new Set();
      lists.forEach(function (owned, element) {
        Object.keys(owned).forEach(function (name) {
          const refs = owned[name].refs;
          if (refs.every(function (r) { return byId[r.id]; })) return;
          element.set(name, refs.map(function (r) {
            if (byId[r.id]) return byId[r.id];
            kept.add(r.id);
            return moddle.create(owned[name].property.type, { id: r.id });
          }));
        });
      });
      const warnings = event.warnings || [];
      for (let i = warnings.length - 1; i >= 0; i--) {
        const w = warnings[i];
        const property = w.element && w.property && w.element.$descriptor.propertiesByName[w.property];
        if (property && property.isMany && kept.has(w.value)) warnings.splice(i, 1);
      }
    });
  }]
};
