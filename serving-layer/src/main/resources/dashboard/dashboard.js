// The serving layer's dashboard. Without a product it shows the whole platform (GET /v1/totals, /v1/top,
// /v1/status); with one, that product's merged metrics (GET /v1/metrics/{product}). Both refresh on a timer.
// Product, range, granularity and the top table's ranking live in the URL, so a view can be shared.
// Distinct users and duration quantiles are approximate (sketches); null where views written before this release
// hold part of a window, shown as "–" with a title saying so.
// Everything it loads comes from this service (Chart.js from the jar's WebJar), so it works offline.
// window.lambdaDashboard exposes the last answers and the charts, for people debugging and for the browser test.
'use strict';

(function () {
  const BATCH_COLOUR = 'rgba(54, 112, 198, 0.85)';
  const SPEED_COLOUR = 'rgba(232, 131, 40, 0.85)';
  const CUTOFF_COLOUR = '#a4300b';
  const GRANULARITY_MS = { '5m': 300000, '1h': 3600000, '1d': 86400000 };
  const PARAMS = ['product', 'range', 'granularity', 'from', 'to', 'by'];
  const QUANTILE_COLOURS = { p50: '#3670c6', p95: '#e88328', p99: '#a4300b' };
  const UNKNOWN_TITLE = 'not known for views written before this release';
  const TICK_STEPS_MS = [5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160, 43200].map((minutes) => minutes * 60000);

  const state = {
    settings: { refresh_ms: 5000, auth_required: false, max_windows: 10000 },
    view: 'overview',
    lastAnswer: null,
    lastTotals: null,
    lastTop: null,
    lastStatus: null,
    lastRate: null,
    rateSamples: [],
    charts: {},
    timer: null,
    refreshCount: 0,
  };
  window.lambdaDashboard = state;

  const $ = (id) => document.getElementById(id);

  // Display in the reader's locale; the API values stay exact strings.
  const integers = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
  const decimalSeparator = (1.5).toLocaleString().charAt(1);
  const utcTime = new Intl.DateTimeFormat(undefined, {
    timeZone: 'UTC', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });
  const utcDay = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });

  /** An exact decimal string ("-1234.50") in the locale ("-1,234.50"), without going through a float. */
  function decimal(text) {
    const negative = text.startsWith('-');
    const [whole, fraction] = (negative ? text.slice(1) : text).split('.');
    const grouped = BigInt(whole).toLocaleString();
    return (negative ? '-' : '') + grouped + (fraction === undefined ? '' : decimalSeparator + fraction);
  }

  function count(value) {
    return integers.format(value);
  }

  /** A table cell of an approximate value: "–" with a title saying why where the API answers null. */
  function known(value, format) {
    return value === null || value === undefined ? { text: '–', title: UNKNOWN_TITLE } : format(value);
  }

  function quantile(quantiles, label) {
    return quantiles ? quantiles[label] : null;
  }

  /** Shows a value, or "–" with the title of an unknown one. */
  function show(element, cell) {
    const unknown = typeof cell === 'object';
    element.textContent = unknown ? cell.text : cell;
    element.title = unknown ? cell.title : '';
    element.classList.toggle('unknown', unknown);
  }

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
    const width = GRANULARITY_MS[granularity];
    const to = Math.ceil(Date.now() / width) * width;
    const from = to - Number($('range').value) * 1000;
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), granularity };
  }

  function rangeQuery(range) {
    return 'from=' + encodeURIComponent(range.from) + '&to=' + encodeURIComponent(range.to)
      + '&granularity=' + encodeURIComponent(range.granularity);
  }

  function ago(iso) {
    if (!iso) return 'never';
    return duration((Date.now() - Date.parse(iso)) / 1000) + ' ago';
  }

  function duration(seconds) {
    if (Math.abs(seconds) < 120) return count(Math.round(seconds)) + ' s';
    if (Math.abs(seconds) < 7200) return count(Math.round(seconds / 60)) + ' min';
    if (Math.abs(seconds) < 172800) return oneDecimal.format(seconds / 3600) + ' h';
    return oneDecimal.format(seconds / 86400) + ' days';
  }

  // A dashed vertical line at the batch cutoff, at its place on the time axis.
  const cutoffLine = {
    id: 'cutoffLine',
    afterDatasetsDraw(chart) {
      const cutoff = chart.options.plugins.cutoffLine && chart.options.plugins.cutoffLine.at;
      const scale = chart.scales.x;
      if (cutoff === null || cutoff === undefined || cutoff < scale.min || cutoff > scale.max) return;
      const x = scale.getPixelForValue(cutoff);
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = CUTOFF_COLOUR;
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x, chart.chartArea.top);
      ctx.lineTo(x, chart.chartArea.bottom);
      ctx.stroke();
      ctx.fillStyle = CUTOFF_COLOUR;
      ctx.font = '11px system-ui, sans-serif';
      ctx.fillText('batch cutoff', x + 4, chart.chartArea.top + 12);
      ctx.restore();
    },
  };

  function tickLabel(value, granularity) {
    return granularity === '1d' ? utcDay.format(new Date(value)) : utcTime.format(new Date(value));
  }

  // A time axis: x is milliseconds since the epoch, every window of the range at its place.
  function chart(id, type, datasets, stacked) {
    return new Chart($(id), {
      type,
      data: { datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: {
            type: 'linear', stacked, offset: false,
            ticks: { maxRotation: 0, autoSkipPadding: 24, callback: (value) => tickLabel(value, state.granularity) },
          },
          y: { stacked, beginAtZero: true, ticks: { precision: 0, callback: (value) => integers.format(value) } },
        },
        plugins: {
          cutoffLine: { at: null },
          tooltip: {
            callbacks: {
              title: (items) => items.length ? 'window from ' + tickLabel(items[0].raw.start, state.granularity) + ' UTC' : '',
              label: (item) => item.dataset.label + ': ' + (item.raw.text !== undefined ? item.raw.text : integers.format(item.raw.y)),
            },
          },
        },
        datasets: { bar: { barPercentage: 1, categoryPercentage: 0.9, grouped: false } },
      },
      plugins: [cutoffLine],
    });
  }

  function barChart(id) {
    return chart(id, 'bar', [
      { label: 'batch view', data: [], backgroundColor: BATCH_COLOUR },
      { label: 'speed layer', data: [], backgroundColor: SPEED_COLOUR },
    ], true);
  }

  function usersChart(id) {
    return chart(id, 'bar', [{ label: 'distinct users ≈', data: [], backgroundColor: '#3d4a5c' }], false);
  }

  function quantilesChart(id) {
    return chart(id, 'line', ['p50', 'p95', 'p99'].map((label) => ({
      label: label + ' (ms)', data: [], borderColor: QUANTILE_COLOURS[label], backgroundColor: QUANTILE_COLOURS[label],
      spanGaps: false, pointRadius: 2,
    })), false);
  }

  function createCharts() {
    state.charts.overviewCount = barChart('ov-count-chart');
    state.charts.overviewRevenue = barChart('ov-revenue-chart');
    state.charts.overviewUsers = usersChart('ov-users-chart');
    state.charts.overviewQuantiles = quantilesChart('ov-quantiles-chart');
    state.charts.count = barChart('count-chart');
    state.charts.revenue = barChart('revenue-chart');
    state.charts.users = usersChart('users-chart');
    state.charts.quantiles = quantilesChart('quantiles-chart');
    state.charts.duration = chart('duration-chart', 'line', [
      { label: 'average duration (ms)', data: [], borderColor: '#3d4a5c', backgroundColor: '#3d4a5c', spanGaps: false, pointRadius: 2 },
    ], false);
  }

  /** Every window of the answer's range, oldest first, with its numbers or null where it has no events. */
  function everyWindow(answer) {
    const width = GRANULARITY_MS[answer.granularity];
    const byStart = new Map(answer.windows.map((w) => [Date.parse(w.start), w]));
    const all = [];
    for (let start = Date.parse(answer.from); start < Date.parse(answer.to); start += width) {
      all.push({ start, middle: start + width / 2, window: byStart.get(start) || null });
    }
    return all;
  }

  // Empty windows are zeros at their place; bars sit over their window.
  function drawBars(target, answer, value, text) {
    const all = everyWindow(answer);
    const point = (slot, part) => {
      const source = slot.window ? slot.window.source[part] : null;
      return { x: slot.middle, y: source ? value(source) : 0, start: slot.start, text: source ? text(source) : undefined };
    };
    target.data.datasets[0].data = all.map((slot) => point(slot, 'batch'));
    target.data.datasets[1].data = all.map((slot) => point(slot, 'speed'));
    axis(target, answer);
  }

  // Distinct users per window: no bar where the window has no events or its users are not known.
  function drawUsers(target, answer) {
    target.data.datasets[0].data = everyWindow(answer).map((slot) => {
      const users = slot.window ? slot.window.unique_users : null;
      return { x: slot.middle, y: users === null ? null : users, start: slot.start };
    });
    axis(target, answer);
  }

  // p50 / p95 / p99 per window: gaps where the window has no events or its durations are not known.
  function drawQuantiles(target, answer) {
    const all = everyWindow(answer);
    ['p50', 'p95', 'p99'].forEach((label, index) => {
      target.data.datasets[index].data = all.map((slot) => {
        const value = slot.window ? quantile(slot.window.duration_quantiles_ms, label) : null;
        return { x: slot.middle, y: value === null || value === undefined ? null : value, start: slot.start };
      });
    });
    axis(target, answer);
  }

  /** The window with the largest value, among those whose value is known; null when none is. */
  function largest(windows, value) {
    return windows.filter((w) => value(w) !== null && value(w) !== undefined)
      .reduce((best, w) => (best === null || value(w) > value(best) ? w : best), null);
  }

  function axis(target, answer) {
    state.granularity = answer.granularity;
    const from = Date.parse(answer.from);
    const to = Date.parse(answer.to);
    const width = GRANULARITY_MS[answer.granularity];
    target.options.scales.x.min = from;
    target.options.scales.x.max = to;
    // About eight ticks on round UTC times (multiples of the step from the epoch), never finer than a window.
    const step = TICK_STEPS_MS.find((candidate) => candidate >= width && candidate >= (to - from) / 8);
    target.options.scales.x.ticks.stepSize = step || TICK_STEPS_MS[TICK_STEPS_MS.length - 1];
    target.options.plugins.cutoffLine.at = answer.batch ? Date.parse(answer.batch.cutoff) : null;
    target.update();
  }

  function showCompleteness(element, answer) {
    if (answer.complete) {
      element.textContent = 'complete up to the speed watermark';
      element.className = 'complete';
    } else {
      element.textContent = 'INCOMPLETE: ' + answer.incomplete
        .map((gap) => 'events ingested ' + gap.from + ' to ' + gap.to + ' may be missing (' + gap.reason + ')').join('; ');
      element.className = 'incomplete';
    }
  }

  function batchText(batch) {
    return batch
      ? 'version ' + batch.version + ', cutoff ' + batch.cutoff + ' (' + ago(batch.cutoff) + '), computed ' + ago(batch.computed_at)
      : 'no batch run yet: the speed layer alone';
  }

  /**
   * Which views answer. In Kappa mode there is no batch layer: the set of stream-built views readers use and the logic
   * that built it (a replay switches readers to a new set). In Lambda mode, the batch version.
   */
  function viewsText(views, batch) {
    if (!views || views.mode !== 'kappa') {
      return batchText(batch);
    }
    return views.view_version === undefined
      ? 'Kappa mode, no batch layer: the speed layer has made no set of views yet'
      : 'Kappa mode, no batch layer: view set ' + views.view_version + ', logic ' + views.logic_version;
  }

  /** How the version was computed, when the batch layer recorded it. */
  function buildText(build) {
    if (!build) {
      return '';
    }
    const kind = build.kind === 'incremental' ? '; incremental run on version ' + build.base_version : '; full recompute';
    return build.logic_version ? kind + ', logic ' + build.logic_version : kind;
  }

  function speedText(speed) {
    return speed.watermark
      ? 'watermark ' + speed.watermark + ' (' + ago(speed.watermark) + '), ' + count(speed.partitions.length !== undefined
        ? speed.partitions.length : speed.partitions) + ' partitions'
      : 'the speed layer has not reported yet';
  }

  function rows(table, values, onClick) {
    table.querySelector('tbody').replaceChildren(...values.map((cells) => {
      const row = document.createElement('tr');
      cells.forEach((value, index) => {
        const cell = document.createElement('td');
        if (typeof value === 'object') {
          show(cell, value);
        } else if (onClick && index === 0) {
          const link = document.createElement('a');
          link.href = '?product=' + encodeURIComponent(value) + '&range=' + encodeURIComponent($('range').value)
            + '&granularity=' + encodeURIComponent($('granularity').value);
          link.textContent = String(value);
          cell.appendChild(link);
        } else {
          cell.textContent = String(value);
        }
        row.appendChild(cell);
      });
      if (onClick) {
        row.classList.add('link');
        row.addEventListener('click', (event) => {
          event.preventDefault();
          onClick(cells[0]);
        });
      }
      return row;
    }));
  }

  /** An exact decimal string with at most 2 fraction digits as BigInt cents. */
  function cents(text) {
    const negative = text.startsWith('-');
    const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
    const value = BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
    return negative ? -value : value;
  }

  function sumRevenue(windows) {
    const total = windows.reduce((sum, w) => sum + cents(w.revenue), 0n);
    const negative = total < 0n;
    const digits = (negative ? -total : total).toString().padStart(3, '0');
    return (negative ? '-' : '') + digits.slice(0, -2) + '.' + digits.slice(-2);
  }

  function renderOverview(totals, top, status) {
    state.lastTotals = totals;
    state.lastTop = top;
    state.lastStatus = status;
    drawBars(state.charts.overviewCount, totals, (part) => part.event_count, (part) => count(part.event_count));
    drawBars(state.charts.overviewRevenue, totals, (part) => Number(part.revenue), (part) => decimal(part.revenue));
    const events = totals.windows.reduce((sum, w) => sum + w.event_count, 0);
    $('ov-events').textContent = count(events);
    $('ov-events-note').textContent = 'in ' + count(totals.windows.length) + ' windows of ' + totals.granularity
      + ', ' + totals.from + ' to ' + totals.to;
    $('ov-revenue').textContent = decimal(sumRevenue(totals.windows));
    $('ov-products').textContent = count(totals.products) + ' products with events';
    state.lastRate = rate(totals, events);
    $('ov-rate').textContent = state.lastRate === null ? 'measuring…' : oneDecimal.format(state.lastRate);
    showCompleteness($('ov-completeness'), totals);
    drawUsers(state.charts.overviewUsers, totals);
    drawQuantiles(state.charts.overviewQuantiles, totals);
    renderSketchCards(totals);

    rows($('top-table'), top.products.map((p) => [p.product_id, count(p.event_count), decimal(p.revenue), oneDecimal.format(Number(p.avg_duration_ms)),
      known(p.unique_users, count), known(quantile(p.duration_quantiles_ms, 'p95'), count)]),
      (product) => openProduct(product));
    $('ov-batch').textContent = status.batch
      ? batchText(status.batch) + '; age ' + duration(status.batch.age_seconds) + ', ' + count(status.batch.event_count) + ' events'
        + buildText(status.batch.build)
      : viewsText(status.views, null);
    $('ov-speed').textContent = speedText(status.speed) + (status.speed.lag_seconds === null ? '' : ', lag ' + duration(status.speed.lag_seconds));
    rows($('partitions-table'), status.speed.partitions.map((p) => [p.partition, p.watermark, duration(p.lag_seconds)]));
    $('ov-dead-total').textContent = count(status.dead_letters.total) + ' records dead-lettered to events.dlq';
    rows($('dead-letters-table'), Object.entries(status.dead_letters.by_reason).map(([reason, n]) => [reason, count(n)]));
  }

  /**
   * Distinct users and p95 per window cannot be added up over the range (a user counts in every window they are seen in;
   * quantiles do not add), so the cards show the window with the most users and the one with the largest p95, saying
   * which; over a range of one window (e.g. a day at 1d) that is the range's own estimate.
   */
  function renderSketchCards(totals) {
    const windows = totals.windows;
    const unknown = windows.filter((w) => w.unique_users === null).length;
    const unknownNote = unknown ? '; ' + count(unknown) + (unknown === 1 ? ' window ' : ' windows ') + UNKNOWN_TITLE : '';
    const where = (w) => (windows.length === 1 && w.start === totals.from && w.end === totals.to
      ? 'over the whole range' : 'in the window from ' + w.start + ' (' + totals.granularity + ')');
    const busiest = largest(windows, (w) => w.unique_users);
    show($('ov-users'), busiest ? '≈ ' + count(busiest.unique_users) : (windows.length ? known(null) : '–'));
    $('ov-users-note').textContent = busiest
      ? 'most ' + where(busiest) + '; windows cannot be added: a user counts in each window they are seen in' + unknownNote
      : (windows.length ? UNKNOWN_TITLE : 'no events in the range');
    const slowest = largest(windows, (w) => quantile(w.duration_quantiles_ms, 'p95'));
    show($('ov-p95'), slowest ? count(slowest.duration_quantiles_ms.p95) + ' ms' : (windows.length ? known(null) : '–'));
    $('ov-p95-note').textContent = slowest
      ? 'largest ' + where(slowest) + '; 95 % of its events took at most this long' + unknownNote
      : (windows.length ? UNKNOWN_TITLE : 'no events in the range');
  }

  /**
   * Events per second coming in: how much the range's total grew over the last minute of refreshes of the same
   * range, divided by how far the speed watermark moved meanwhile. Null until the watermark has moved.
   */
  function rate(totals, events) {
    if (!totals.speed.watermark) return null;
    const sample = { from: totals.from, events, watermark: Date.parse(totals.speed.watermark) };
    state.rateSamples = state.rateSamples.filter((s) => s.from === sample.from && s.watermark > sample.watermark - 60000);
    state.rateSamples.push(sample);
    const oldest = state.rateSamples[0];
    if (sample.watermark <= oldest.watermark) return null;
    return Math.max(0, sample.events - oldest.events) / ((sample.watermark - oldest.watermark) / 1000);
  }

  function renderProduct(answer) {
    state.lastAnswer = answer;
    drawBars(state.charts.count, answer, (part) => part.event_count, (part) => count(part.event_count));
    drawBars(state.charts.revenue, answer, (part) => Number(part.revenue), (part) => decimal(part.revenue));
    const durations = state.charts.duration;
    durations.data.datasets[0].data = everyWindow(answer).map((slot) => ({
      x: slot.middle, y: slot.window ? Number(slot.window.avg_duration_ms) : null, start: slot.start,
    }));
    axis(durations, answer);
    drawUsers(state.charts.users, answer);
    drawQuantiles(state.charts.quantiles, answer);

    rows($('windows-table'), answer.windows.map((w) => [w.start, w.end, count(w.event_count), decimal(w.revenue),
      oneDecimal.format(Number(w.avg_duration_ms)), known(w.unique_users, count),
      ...['p50', 'p95', 'p99'].map((label) => known(quantile(w.duration_quantiles_ms, label), count)),
      count(w.source.batch.event_count), count(w.source.speed.event_count)]));
    const total = answer.windows.reduce((sum, w) => sum + w.event_count, 0);
    $('summary').textContent = count(answer.windows.length) + ' windows with events, ' + count(total) + ' events, '
      + answer.from + ' to ' + answer.to;
    $('batch-info').textContent = viewsText(answer.views, answer.batch);
    $('speed-info').textContent = speedText(answer.speed);
    showCompleteness($('completeness'), answer);
  }

  async function refresh() {
    const product = $('product').value.trim();
    const range = alignedRange();
    try {
      if (product) {
        renderProduct(await getJson('/v1/metrics/' + encodeURIComponent(product) + '?' + rangeQuery(range)));
      } else {
        const [totals, top, status] = await Promise.all([
          getJson('/v1/totals?' + rangeQuery(range)),
          getJson('/v1/top?' + rangeQuery(range) + '&by=' + encodeURIComponent($('by').value) + '&limit=10'),
          getJson('/v1/status'),
        ]);
        renderOverview(totals, top, status);
      }
      $('error').hidden = true;
      state.refreshCount++;
      $('state').textContent = 'updated ' + new Date().toLocaleTimeString() + ', every '
        + count(Math.round(state.settings.refresh_ms / 1000)) + ' s';
    } catch (error) {
      $('error').textContent = error.status === 503
        ? 'The view store is unavailable; retrying…'
        : 'Cannot load ' + (product ? 'metrics' : 'the overview') + ': ' + error.message;
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

  /** Shows the view the form describes, and puts it in the URL. */
  function showView(push) {
    const product = $('product').value.trim();
    state.view = product ? 'product' : 'overview';
    $('overview').hidden = state.view !== 'overview';
    $('product-view').hidden = state.view !== 'product';
    $('title').textContent = product ? product : 'overview';
    document.title = 'Lambda Platform · ' + (product || 'overview');
    $('query').classList.toggle('custom-range', $('range').value === 'custom');
    const params = new URLSearchParams();
    if (product) params.set('product', product);
    params.set('range', $('range').value);
    params.set('granularity', $('granularity').value);
    if (!product && $('by').value !== 'events') params.set('by', $('by').value);
    if ($('range').value === 'custom') {
      params.set('from', $('from').value.trim());
      params.set('to', $('to').value.trim());
    }
    const url = '?' + params.toString();
    if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
    if ($('token').value) sessionStorage.setItem('lambda-token', $('token').value);
    restart();
  }

  function openProduct(product) {
    $('product').value = product;
    showView(true);
  }

  function readUrl() {
    const params = new URLSearchParams(location.search);
    PARAMS.forEach((name) => {
      const value = params.get(name);
      if (value !== null) $(name).value = value;
      else if (name === 'product' || name === 'from' || name === 'to') $(name).value = '';
      else if (name === 'by') $(name).value = 'events';
    });
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
    readUrl();
    $('range').addEventListener('change', () => $('query').classList.toggle('custom-range', $('range').value === 'custom'));
    $('product').addEventListener('input', suggest);
    $('by').addEventListener('change', () => showView(true));
    $('query').addEventListener('submit', (event) => {
      event.preventDefault();
      showView(true);
    });
    const home = (event) => {
      event.preventDefault();
      $('product').value = '';
      showView(true);
    };
    $('home').addEventListener('click', home);
    $('back').addEventListener('click', home);
    window.addEventListener('popstate', () => {
      readUrl();
      showView(false);
    });
    suggest();
    showView(false);
  }

  document.addEventListener('DOMContentLoaded', start);
})();
