// The serving layer's dashboard: one product's merged metrics as charts, refreshed on a timer.
// Everything it loads comes from this service (Chart.js from the jar's WebJar), so it works offline.
// window.lambdaDashboard exposes the last answer and the charts, for people debugging and for the browser test.
'use strict';

(function () {
  const BATCH_COLOUR = 'rgba(54, 112, 198, 0.85)';
  const SPEED_COLOUR = 'rgba(232, 131, 40, 0.85)';
  const GRANULARITY_SECONDS = { '5m': 300, '1h': 3600, '1d': 86400 };

  const state = {
    settings: { refresh_ms: 5000, auth_required: false, max_windows: 10000 },
    lastAnswer: null,
    lastStatus: null,
    charts: {},
    timer: null,
    refreshCount: 0,
  };
  window.lambdaDashboard = state;

  const $ = (id) => document.getElementById(id);

  function headers() {
    const token = $('token').value || sessionStorage.getItem('lambda-token') || '';
    return token ? { Authorization: 'Bearer ' + token } : {};
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: headers(), cache: 'no-store' });
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const detail = body && body.message ? body.message : 'HTTP ' + response.status;
      const parameter = body && body.parameter ? body.parameter + ': ' : '';
      const error = new Error(parameter + detail);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function alignedRange() {
    const granularity = $('granularity').value;
    if ($('range').value === 'custom') {
      return { from: $('from').value.trim(), to: $('to').value.trim(), granularity };
    }
    const width = GRANULARITY_SECONDS[granularity] * 1000;
    const to = Math.ceil(Date.now() / width) * width;
    const from = to - Number($('range').value) * 1000;
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), granularity };
  }

  function label(iso, granularity) {
    // UTC, as the windows are: "11-24 10:05" or "2026-11-24" for days.
    return granularity === '1d' ? iso.slice(0, 10) : iso.slice(5, 16).replace('T', ' ');
  }

  function ago(iso) {
    if (!iso) return 'never';
    const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (Math.abs(seconds) < 120) return seconds + ' s ago';
    if (Math.abs(seconds) < 7200) return Math.round(seconds / 60) + ' min ago';
    if (Math.abs(seconds) < 172800) return (seconds / 3600).toFixed(1) + ' h ago';
    return (seconds / 86400).toFixed(1) + ' days ago';
  }

  // A dashed vertical line at the window that contains the batch cutoff.
  const cutoffLine = {
    id: 'cutoffLine',
    afterDatasetsDraw(chart) {
      const answer = state.lastAnswer;
      if (!answer || !answer.batch) return;
      const cutoff = Date.parse(answer.batch.cutoff);
      const windows = answer.windows;
      let index = windows.findIndex((w) => Date.parse(w.end) > cutoff);
      if (index < 0) index = windows.length - 0.5; else index -= 0.5;
      if (windows.length === 0 || index < -0.5) return;
      const x = chart.scales.x.getPixelForValue(Math.max(index, -0.5));
      if (x === undefined || Number.isNaN(x)) return;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = '#a4300b';
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x, chart.chartArea.top);
      ctx.lineTo(x, chart.chartArea.bottom);
      ctx.stroke();
      ctx.fillStyle = '#a4300b';
      ctx.font = '11px system-ui, sans-serif';
      ctx.fillText('cutoff', x + 4, chart.chartArea.top + 12);
      ctx.restore();
    },
  };

  function chart(id, type, datasets, stacked) {
    return new Chart($(id), {
      type,
      data: { labels: [], datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: { x: { stacked }, y: { stacked, beginAtZero: type === 'bar' } },
      },
      plugins: [cutoffLine],
    });
  }

  function createCharts() {
    state.charts.count = chart('count-chart', 'bar', [
      { label: 'batch view', data: [], backgroundColor: BATCH_COLOUR },
      { label: 'speed layer', data: [], backgroundColor: SPEED_COLOUR },
    ], true);
    state.charts.revenue = chart('revenue-chart', 'bar', [
      { label: 'batch view', data: [], backgroundColor: BATCH_COLOUR },
      { label: 'speed layer', data: [], backgroundColor: SPEED_COLOUR },
    ], true);
    state.charts.duration = chart('duration-chart', 'line', [
      { label: 'average duration (ms)', data: [], borderColor: '#3d4a5c', backgroundColor: '#3d4a5c', tension: 0.2 },
    ], false);
  }

  function render(answer) {
    state.lastAnswer = answer;
    const labels = answer.windows.map((w) => label(w.start, answer.granularity));
    const set = (c, series) => {
      c.data.labels = labels;
      series.forEach((data, i) => { c.data.datasets[i].data = data; });
      c.update();
    };
    set(state.charts.count, [
      answer.windows.map((w) => w.source.batch.event_count),
      answer.windows.map((w) => w.source.speed.event_count),
    ]);
    set(state.charts.revenue, [
      answer.windows.map((w) => Number(w.source.batch.revenue)),
      answer.windows.map((w) => Number(w.source.speed.revenue)),
    ]);
    set(state.charts.duration, [answer.windows.map((w) => Number(w.avg_duration_ms))]);

    const body = $('windows-table').querySelector('tbody');
    body.replaceChildren(...answer.windows.map((w) => {
      const row = document.createElement('tr');
      [w.start, w.end, w.event_count, w.revenue, w.avg_duration_ms, w.source.batch.event_count, w.source.speed.event_count]
        .forEach((value) => {
          const cell = document.createElement('td');
          cell.textContent = String(value);
          row.appendChild(cell);
        });
      return row;
    }));
    const total = answer.windows.reduce((sum, w) => sum + w.event_count, 0);
    $('summary').textContent = answer.windows.length + ' windows with events, ' + total + ' events, '
      + answer.from + ' to ' + answer.to;

    $('batch-info').textContent = answer.batch
      ? 'version ' + answer.batch.version + ', cutoff ' + answer.batch.cutoff + ' (' + ago(answer.batch.cutoff)
        + '), computed ' + ago(answer.batch.computed_at)
      : 'no batch run yet: the speed layer alone';
    $('speed-info').textContent = answer.speed.watermark
      ? 'watermark ' + answer.speed.watermark + ' (' + ago(answer.speed.watermark) + '), '
        + answer.speed.partitions + ' partitions'
      : 'the speed layer has not reported yet';
    const completeness = $('completeness');
    if (answer.complete) {
      completeness.textContent = 'complete up to the speed watermark';
      completeness.className = 'complete';
    } else {
      completeness.textContent = 'INCOMPLETE: ' + answer.incomplete
        .map((gap) => 'events ingested ' + gap.from + ' to ' + gap.to + ' may be missing (' + gap.reason + ')').join('; ');
      completeness.className = 'incomplete';
    }
  }

  async function refresh() {
    const product = $('product').value.trim();
    if (!product) {
      $('state').textContent = 'choose a product';
      return;
    }
    const range = alignedRange();
    const url = '/v1/metrics/' + encodeURIComponent(product) + '?from=' + encodeURIComponent(range.from)
      + '&to=' + encodeURIComponent(range.to) + '&granularity=' + encodeURIComponent(range.granularity);
    try {
      const answer = await getJson(url);
      render(answer);
      $('error').hidden = true;
      state.refreshCount++;
      $('state').textContent = 'updated ' + new Date().toISOString().slice(11, 19) + ' UTC, every '
        + Math.round(state.settings.refresh_ms / 1000) + ' s';
    } catch (error) {
      $('error').textContent = error.status === 503
        ? 'The view store is unavailable; retrying…'
        : 'Cannot load metrics: ' + error.message;
      $('error').hidden = false;
      if (error.status === 401) $('token-label').hidden = false;
    }
  }

  async function suggest() {
    try {
      const prefix = $('product').value.trim();
      const answer = await getJson('/v1/products?limit=50&prefix=' + encodeURIComponent(prefix));
      $('product-suggestions').replaceChildren(...answer.products.map((product) => {
        const option = document.createElement('option');
        option.value = product;
        return option;
      }));
    } catch (error) {
      // Suggestions are a convenience; the metrics request reports errors.
    }
  }

  function remember() {
    const params = new URLSearchParams({
      product: $('product').value.trim(), range: $('range').value, granularity: $('granularity').value,
    });
    if ($('range').value === 'custom') {
      params.set('from', $('from').value.trim());
      params.set('to', $('to').value.trim());
    }
    history.replaceState(null, '', '?' + params.toString());
    if ($('token').value) sessionStorage.setItem('lambda-token', $('token').value);
  }

  function restart() {
    if (state.timer) clearInterval(state.timer);
    refresh();
    state.timer = setInterval(refresh, state.settings.refresh_ms);
  }

  async function start() {
    try {
      state.settings = await getJson('/dashboard/settings');
    } catch (error) {
      // keep the defaults
    }
    $('token-label').hidden = !state.settings.auth_required;
    createCharts();
    const params = new URLSearchParams(location.search);
    ['product', 'range', 'granularity', 'from', 'to'].forEach((name) => {
      if (params.get(name)) $(name).value = params.get(name);
    });
    $('query').classList.toggle('custom-range', $('range').value === 'custom');
    $('range').addEventListener('change', () => $('query').classList.toggle('custom-range', $('range').value === 'custom'));
    $('product').addEventListener('input', suggest);
    $('query').addEventListener('submit', (event) => {
      event.preventDefault();
      remember();
      restart();
    });
    suggest();
    restart();
  }

  document.addEventListener('DOMContentLoaded', start);
})();
