// BPMN as SpiffWorkflow reads it, where bpmn-moddle reads it otherwise: a moddle extension the modeler
// loads. A multi-instance task's input and output collections (loopDataInputRef, loopDataOutputRef) name
// variables of the case data, not elements of the file; bpmn-moddle resolves them as references, finds
// nothing, and dropped them on save (the task then no longer deployed). Here they are names. The saved XML
// stays plain BPMN: the types only redefine bpmn: properties, so this package's URI is never written.
// It is not a descriptor of the spiffworkflow namespace: moddle drops every element of a described
// namespace that its descriptor does not name, while undescribed spiffworkflow elements stay generic
// elements and are kept whole (properties.js edits them so).
window.SpiffModdle = {
  name: 'SpiffWorkflowReading',
  uri: 'urn:x-gyxxh-tj:bpmn-as-spiffworkflow-reads-it',
  prefix: 'spiffreading',
  xml: { tagAlias: 'lowerCase' },  // as bpmn's own package: the extended elements keep their tag names
  types: [{
    name: 'LoopCollectionNames',
    extends: ['bpmn:MultiInstanceLoopCharacteristics'],
    properties: [
      { name: 'bpmn:loopDataInputRef', type: 'String',
        redefines: 'bpmn:MultiInstanceLoopCharacteristics#loopDataInputRef' },
      { name: 'bpmn:loopDataOutputRef', type: 'String',
        redefines: 'bpmn:MultiInstanceLoopCharacteristics#loopDataOutputRef' }
    ]
  }]
};
