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
