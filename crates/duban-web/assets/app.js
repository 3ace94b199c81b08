// duban 督办 — draws the charts of a page from the JSON the server embedded in it
// (<script type="application/json" id="chart-data">); no inline script (CSP).
(function () {
  'use strict';
  var charts = [];

  function data() {
    var el = document.getElementById('chart-data');
    return el ? JSON.parse(el.textContent) : null;
  }

  var RED = '#dc2626', YELLOW = '#f59e0b', GREEN = '#16a34a', BLUE = '#2563eb', GREY = '#9ca3af';

  var builders = {
    colours: function (d) {
      return {
        tooltip: { trigger: 'item' },
        legend: { bottom: 0 },
        series: [{ type: 'pie', radius: ['40%', '70%'], label: { formatter: '{b}\n{c}项' },
          data: [
            { name: '红灯', value: d.red, itemStyle: { color: RED } },
            { name: '黄灯', value: d.yellow, itemStyle: { color: YELLOW } },
            { name: '绿灯', value: d.green, itemStyle: { color: GREEN } }
          ] }]
      };
    },
    regions: function (d) {
      return {
        tooltip: { trigger: 'axis' },
        legend: { top: 0, data: ['投资完成率', '序时进度'] },
        grid: { left: 40, right: 10, top: 30, bottom: 80 },
        xAxis: { type: 'category', data: d.regions.map(function (r) { return r.region; }), axisLabel: { rotate: 30 } },
        yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
        series: [
          { name: '投资完成率', type: 'bar', data: d.regions.map(function (r) { return r.completion; }),
            itemStyle: { color: BLUE } },
          { name: '序时进度', type: 'line', data: d.regions.map(function (r) { return r.schedule; }),
            itemStyle: { color: RED } }
        ]
      };
    },
    trend: function (d) {
      return {
        tooltip: { trigger: 'axis' },
        grid: { left: 40, right: 10, bottom: 30 },
        xAxis: { type: 'category', data: d.trend.map(function (t) { return t[0] + '月'; }) },
        yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
        series: [{ name: '累计完成占年度计划', type: 'line', data: d.trend.map(function (t) { return t[1]; }),
          areaStyle: { opacity: 0.15 }, itemStyle: { color: BLUE } }]
      };
    },
    problems: function (d) {
      return {
        tooltip: { trigger: 'axis' },
        grid: { left: 40, right: 10, bottom: 30 },
        xAxis: { type: 'category', data: d.problems_by_category.map(function (p) { return p[0]; }) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [{ name: '问题数', type: 'bar', data: d.problems_by_category.map(function (p) { return p[1]; }),
          itemStyle: { color: YELLOW } }]
      };
    },
    states: function (d) {
      return {
        tooltip: { trigger: 'item' },
        legend: { bottom: 0 },
        series: [{ type: 'pie', radius: '65%',
          data: d.problems_by_state.map(function (p) { return { name: p[0], value: p[1] }; }) }]
      };
    },
    ranking: function (d) {
      return {
        tooltip: { trigger: 'axis' },
        grid: { left: 110, right: 30, top: 10, bottom: 20 },
        xAxis: { type: 'value', min: 0, max: 100 },
        yAxis: { type: 'category', data: d.units, inverse: true },
        series: [{ name: '综合得分', type: 'bar', data: d.composite, itemStyle: { color: BLUE },
          label: { show: true, position: 'right' } }]
      };
    },
    ranking_investment: function (d) {
      return {
        tooltip: { trigger: 'axis' },
        legend: { top: 0, data: ['投资完成率', '序时进度'] },
        xAxis: { type: 'category', data: d.units, axisLabel: { rotate: 30 } },
        yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
        series: [
          { name: '投资完成率', type: 'bar', data: d.investment.map(function (v, i) {
              // Decimals arrive as strings: compare them as numbers.
              var behind = v !== null && d.schedule[i] !== null && parseFloat(v) < parseFloat(d.schedule[i]);
              return { value: v, itemStyle: { color: behind ? RED : GREEN } }; }) },
          { name: '序时进度', type: 'line', data: d.schedule, itemStyle: { color: GREY } }
        ]
      };
    },
    gantt: function (d) {
      // A milestone timeline: each node a bar from the previous node to its own date (actual,
      // else planned), in days from the first; green done, red overdue, grey to come.
      var day = 86400000, rows = d.milestones, spans = [];
      rows.forEach(function (m, i) {
        var prev = i === 0 ? (d.start || m.planned || m.actual) : (rows[i - 1].actual || rows[i - 1].planned);
        var start = Date.parse(prev), end = Date.parse(m.actual || m.planned);
        if (isNaN(end)) { end = Date.now(); }
        if (isNaN(start) || start > end) { start = end; }
        spans.push([start, end]);
      });
      var min = Math.min.apply(null, spans.map(function (s) { return s[0]; }));
      function date(v) { var t = new Date(min + v * day); return t.getFullYear() + '-' + (t.getMonth() + 1); }
      return {
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' },
          formatter: function (p) { var m = rows[p[0].dataIndex];
            return m.name + '<br>计划：' + (m.planned || '—') + '<br>实际：' + (m.actual || '未完成'); } },
        grid: { left: 80, right: 30, top: 10, bottom: 30 },
        xAxis: { type: 'value', axisLabel: { formatter: date } },
        yAxis: { type: 'category', data: rows.map(function (m) { return m.name; }), inverse: true },
        series: [
          { type: 'bar', stack: 't', silent: true, itemStyle: { color: 'transparent' },
            data: spans.map(function (s) { return (s[0] - min) / day; }) },
          { type: 'bar', stack: 't',
            data: spans.map(function (s, i) {
              var m = rows[i];
              return { value: Math.max((s[1] - s[0]) / day, 3),
                itemStyle: { color: m.actual ? GREEN : (m.overdue ? RED : GREY) } };
            }) }
        ]
      };
    }
  };

  function draw() {
    var d = data();
    if (!d || !window.echarts) { return; }
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    document.querySelectorAll('[data-chart]').forEach(function (el) {
      var build = builders[el.getAttribute('data-chart')];
      if (!build) { return; }
      var c = window.echarts.init(el);
      var option = build(d);
      option.animation = false; // drawn at once: a wall chart, and screenshots show it whole
      c.setOption(option);
      el.setAttribute('data-rendered', 'true');
      charts.push(c);
    });
  }

  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });

  // A refused form shows its error where the form says (data-error), not in place of what
  // it would have replaced: a card or a board stays as it was.
  document.addEventListener('htmx:beforeSwap', function (e) {
    if (e.detail.xhr.status < 400) { return; }
    var form = e.detail.requestConfig && e.detail.requestConfig.elt;
    var where = form && form.closest('[data-error]');
    var target = where && document.querySelector(where.getAttribute('data-error'));
    if (target) { e.detail.target = target; }
  });
  // 返回上一页 on an error page.
  document.addEventListener('click', function (e) {
    var back = e.target.closest && e.target.closest('[data-back]');
    if (back) { e.preventDefault(); window.history.back(); }
  });
  // A form that succeeded is emptied for the next entry (data-reset).
  document.addEventListener('htmx:afterRequest', function (e) {
    var form = e.detail.elt;
    if (e.detail.successful && form && form.hasAttribute && form.hasAttribute('data-reset')) { form.reset(); }
  });
  // A form that answers with a file to save (data-download), such as a notice numbered as it
  // is issued: sent with the page's CSRF token, the file saved under the name the server
  // gives; a refusal is shown where the form's data-error says.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute('data-download')) { return; }
    e.preventDefault();
    var headers = { 'HX-Request': 'true' };
    try {
      var h = JSON.parse(document.body.getAttribute('hx-headers') || '{}');
      Object.keys(h).forEach(function (k) { headers[k] = h[k]; });
    } catch (err) { /* no token: the server refuses and says so */ }
    var where = document.querySelector(form.getAttribute('data-error'));
    if (where) { where.innerHTML = ''; }
    var button = form.querySelector('button');
    if (button) { button.disabled = true; }
    fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)),
      headers: headers, credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) {
          return r.text().then(function (t) { if (where) { where.innerHTML = t; } });
        }
        var name = 'download';
        var m = /filename\*=UTF-8''([^;]+)/.exec(r.headers.get('Content-Disposition') || '');
        if (m) { name = decodeURIComponent(m[1]); }
        return r.blob().then(function (b) {
          var url = URL.createObjectURL(b);
          var a = document.createElement('a');
          a.href = url;
          a.download = name;
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
          form.setAttribute('data-downloaded', name);
        });
      })
      .catch(function () { if (where) { where.textContent = '下载失败，请检查网络后重试'; } })
      .then(function () { if (button) { button.disabled = false; } });
  });
  document.addEventListener('DOMContentLoaded', draw);
})();
