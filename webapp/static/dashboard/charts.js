// The dashboard's charts (Apache ECharts, served by the app): running cases by step, each district's cases
// by result, and each district's on-time share per step. The figures come from the page's JSON block;
// tooltips draw on the canvas (richText), so nothing is written as inline HTML under the page's CSP.
(function () {
  const node = document.getElementById('dashboard-charts');
  if (!node || typeof echarts === 'undefined') return;
  const data = JSON.parse(node.textContent);
  const locale = document.documentElement.lang === 'en' ? 'EN' : 'ZH';

  function draw(id, hasData, option) {
    const container = document.getElementById(id);
    if (!hasData) {
      container.textContent = container.dataset.empty;
      container.classList.add('chart-empty');
      container.dataset.ready = 'empty';
      return;
    }
    const chart = echarts.init(container, null, { locale: locale, renderer: 'canvas' });
    chart.setOption(Object.assign({ animation: false, tooltip: { renderMode: 'richText' } }, option));
    window.addEventListener('resize', function () { chart.resize(); });
    container.dataset.ready = 'true';
  }

  const stages = data.stages;
  draw('chart-stages', stages.values.length > 0, {
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: stages.names.slice().reverse() },
    series: [{ type: 'bar', data: stages.values.slice().reverse(), label: { show: true, position: 'right' } }]
  });

  const districts = data.districts;
  draw('chart-districts', districts.names.length > 0, {
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 8, right: 8, top: 8, bottom: 40, containLabel: true },
    tooltip: { renderMode: 'richText', trigger: 'axis' },
    xAxis: { type: 'category', data: districts.names, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: districts.series.map(function (s) {
      return { name: s.name, type: 'bar', stack: 'cases', data: s.values };
    })
  });

  const onTime = data.on_time;
  const container = document.getElementById('chart-on-time');
  draw('chart-on-time', onTime.cells.length > 0, {
    grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
    xAxis: { type: 'category', data: onTime.steps, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: 'category', data: onTime.districts },
    visualMap: { min: 0, max: 100, calculable: false, orient: 'horizontal', left: 'center', bottom: 0,
                 inRange: { color: ['#dc3545', '#ffc107', '#198754'] }, text: ['100', '0'] },
    series: [{ name: container.dataset.label, type: 'heatmap', data: onTime.cells, label: { show: true } }]
  });
})();
