// The fff status page: plain DOM, no build step, everything from this node.
// Reads go to /api/ without a token; changes carry the UI token (asked for once, kept in localStorage).
// /api/events (SSE) moves progress once a second and says when jobs change; lists are refetched then.
'use strict';

const TOKEN_KEY = 'fff.uiToken';
const QUEUE_PAGE = 200;
const HISTORY_PAGE = 50;
const ENDED = 'DONE,FAILED,CANCELLED';

const $ = id => document.getElementById(id);
const state = { node: null, queued: [], history: { offset: 0, total: 0 }, pending: null, groups: [], rates: null,
  rateEditing: null };

// ---- formatting ----
function bytes(n) {
  if (n == null || n < 0) return '';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return (i === 0 ? Math.round(n) : n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)) + ' ' + units[i];
}
function rate(r) { return r == null ? '' : bytes(r) + '/s'; }
function bits(n) {
  if (!n) return 'unlimited';
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return (Number.isInteger(n) ? n : n.toFixed(n < 10 ? 2 : 1)) + ' ' + units[i];
}
function duration(s) {
  if (s == null || !isFinite(s)) return '';
  if (s < 10) return s.toFixed(1) + ' s';
  s = Math.round(s);
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + 'm ' + String(s % 60).padStart(2, '0') + 's';
  if (s < 86400) return Math.floor(s / 3600) + 'h ' + String(Math.floor(s / 60) % 60).padStart(2, '0') + 'm';
  return Math.floor(s / 86400) + 'd ' + Math.floor(s / 3600) % 24 + 'h';
}
function when(ms) {
  if (!ms) return '';
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}
function percent(j) {
  if (j.state === 'DONE') return 100;
  if (j.media && j.media.frames > 0) return Math.min(100, 100 * j.media.frame / j.media.frames);
  if (j.size > 0 && !j.profile) return Math.min(100, 100 * j.bytesDone / j.size);
  return 0;
}

// where a job's file goes: DEST:path, or for a conversion returned here (watch rule via:) the result's path
function target(j) {
  return j.returnTo ? j.destination + ' (' + j.profile + ') \u2192 ' + j.returnTo : j.destination + ':' + j.remotePath;
}

// ---- DOM ----
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'width') e.style.width = v; // through the CSSOM: the page's policy forbids style attributes
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}
function showError(message) {
  $('error-text').textContent = message;
  $('error').hidden = false;
}
function clearError() { $('error').hidden = true; }

// ---- API ----
async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    const token = localStorage.getItem(TOKEN_KEY);
    if (!token) { askToken(); throw new Error('set the UI token first'); }
    headers.Authorization = 'Bearer ' + token;
    headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  } catch (e) {
    throw new Error('node not reachable (' + e.message + ')');
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { /* not JSON: reported below */ }
  if (!res.ok) {
    if (res.status === 401 && method !== 'GET') { localStorage.removeItem(TOKEN_KEY); askToken(); updateTokenButton(); }
    const err = new Error((data && data.error) || ('HTTP ' + res.status));
    err.status = res.status;
    throw err;
  }
  return data;
}
async function act(method, path, body) {
  try {
    const r = await api(method, path, body);
    clearError();
    refreshSoon();
    return r;
  } catch (e) {
    showError(e.message);
    return null;
  }
}

// ---- token ----
function askToken() {
  const d = $('token-dialog');
  if (!d.open) { $('token-input').value = ''; d.showModal(); }
}
function updateTokenButton() {
  $('token-button').textContent = localStorage.getItem(TOKEN_KEY) ? 'UI token set ✓' : 'Set UI token';
}

// ---- queue (running and queued) ----
function jobRow(j) {
  const queued = j.state === 'QUEUED';
  const label = queued && j.blocked ? 'WAITING' : j.state;
  const tr = el('tr', { 'data-job-id': j.id, 'data-state': j.state, draggable: queued ? 'true' : null });
  const pct = percent(j);
  const bar = el('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
    'aria-valuenow': pct.toFixed(1), 'data-role': 'progress' },
    el('div', { class: 'fill', width: pct.toFixed(1) + '%' }),
    el('span', { class: 'label', text: progressLabel(j, pct) }));
  tr.append(
    el('td', { class: 'num', text: j.id }),
    el('td', { class: 'state ' + j.state, title: j.lastError || null, text: label }),
    el('td', { class: 'file', title: j.source, text: j.relative || j.source }),
    el('td', { class: 'file', title: target(j), text: j.destination + (j.profile ? ' (' + j.profile + ')' : '') }),
    el('td', { text: j.group }),
    el('td', { class: 'num', text: bytes(j.size) }),
    el('td', {}, bar),
    el('td', { class: 'num', 'data-role': 'rate', text: rate(j.rate) }),
    el('td', { class: 'num', 'data-role': 'eta', text: duration(j.etaSeconds) }),
    el('td', { class: 'num', 'data-role': 'attempts', text: j.attempts }),
    el('td', {}, actions(j)));
  return tr;
}
function progressLabel(j, pct) {
  let s = j.state === 'RUNNING' || pct > 0 ? pct.toFixed(pct < 10 ? 1 : 0) + ' %' : '';
  if (j.media && j.state === 'RUNNING') s += ' · ' + j.media.fps.toFixed(0) + ' fps · ' + j.media.speed.toFixed(2) + '×';
  else if (j.state === 'QUEUED' && j.blocked && j.retryAtMillis) s = 'retry ' + when(j.retryAtMillis);
  return s;
}
function actions(j) {
  const box = el('div', { class: 'actions' });
  if (j.state === 'QUEUED') {
    box.append(el('button', { type: 'button', 'data-action': 'top', title: 'start next', text: '⤒' }),
      el('button', { type: 'button', 'data-action': 'bottom', title: 'start last', text: '⤓' }));
  }
  if (j.state === 'QUEUED' || j.state === 'RUNNING') {
    box.append(el('button', { type: 'button', class: 'danger', 'data-action': 'cancel', title: 'cancel', text: '✕' }));
  }
  if (j.state === 'FAILED' || j.state === 'CANCELLED') {
    box.append(el('button', { type: 'button', 'data-action': 'retry', title: 'queue again', text: '↻' }));
  }
  return box;
}
async function loadQueue() {
  const page = await api('GET', '/api/jobs?state=RUNNING,QUEUED&limit=' + QUEUE_PAGE);
  const body = $('queue');
  body.replaceChildren(...page.jobs.map(jobRow));
  state.queued = page.jobs.filter(j => j.state === 'QUEUED').map(j => String(j.id));
  $('queue-empty').hidden = page.total > 0;
  const more = page.total - page.jobs.length;
  $('queue-more').hidden = more <= 0;
  $('queue-more').textContent = more > 0 ? more + ' more queued (not shown)' : '';
  const running = page.jobs.filter(j => j.state === 'RUNNING').length;
  $('queue-count').textContent = page.total ? running + ' running, ' + (page.total - running) + ' queued' : '';
}
function updateRunning(jobs) {
  let missing = false;
  for (const j of jobs) {
    const tr = document.querySelector('#queue tr[data-job-id="' + j.id + '"]');
    if (!tr || tr.dataset.state !== 'RUNNING') { missing = true; continue; }
    const pct = percent(j);
    const bar = tr.querySelector('[data-role=progress]');
    bar.setAttribute('aria-valuenow', pct.toFixed(1));
    bar.querySelector('.fill').style.width = pct.toFixed(1) + '%';
    bar.querySelector('.label').textContent = progressLabel(j, pct);
    tr.querySelector('[data-role=rate]').textContent = rate(j.rate);
    tr.querySelector('[data-role=eta]').textContent = duration(j.etaSeconds);
    tr.querySelector('[data-role=attempts]').textContent = j.attempts;
  }
  const shown = document.querySelectorAll('#queue tr[data-state=RUNNING]').length;
  if (missing || shown !== jobs.length) refreshSoon();
}

// ---- history ----
async function loadHistory() {
  const h = state.history;
  const q = new URLSearchParams({ state: $('history-state').value, offset: h.offset, limit: HISTORY_PAGE });
  if ($('history-group').value) q.set('group', $('history-group').value);
  if ($('history-text').value.trim()) q.set('q', $('history-text').value.trim());
  const page = await api('GET', '/api/jobs?' + q);
  h.total = page.total;
  $('history').replaceChildren(...page.jobs.map(j => el('tr', { 'data-job-id': j.id, 'data-state': j.state },
    el('td', { class: 'num', text: j.id }),
    el('td', { text: when(j.endedMillis) }),
    el('td', { class: 'state ' + j.state, text: j.state }),
    el('td', { class: 'file', title: j.source, text: j.relative || j.source }),
    el('td', { class: 'file', title: target(j), text: j.destination }),
    el('td', { class: 'num', text: bytes(j.size) }),
    el('td', { class: 'num', text: j.startedMillis && j.endedMillis >= j.startedMillis ? duration((j.endedMillis - j.startedMillis) / 1000) : '' }),
    el('td', { class: 'num', text: j.attempts }),
    el('td', { class: 'note', title: [j.note, j.lastError].filter(Boolean).join('\n') || null, text: (j.state === 'FAILED' ? j.lastError || j.note : j.note || j.lastError) || '' }),
    el('td', {}, actions(j)))));
  $('history-empty').hidden = page.total > 0;
  const from = page.total ? h.offset + 1 : 0;
  $('history-range').textContent = from + '–' + (h.offset + page.jobs.length) + ' of ' + page.total;
  $('history-prev').disabled = h.offset === 0;
  $('history-next').disabled = h.offset + page.jobs.length >= page.total;
}

// ---- groups ----
function groupItem(g) {
  const pct = g.limit > 0 ? Math.min(100, 100 * g.inUse / g.limit) : 0;
  const form = el('form', { 'data-group': g.name },
    el('input', { type: 'number', min: 1, value: g.limit, 'aria-label': 'limit of ' + g.name, 'data-group': g.name }),
    el('button', { type: 'submit', 'data-action': 'limit', text: 'Set' }));
  const li = el('li', { 'data-group': g.name },
    el('div', { class: 'group' },
      el('span', { class: 'name', text: g.name }), form,
      el('div', { class: 'tokens' },
        el('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': g.inUse, 'aria-valuemax': g.limit },
          el('div', { class: 'fill', width: pct + '%' }),
          el('span', { class: 'label', 'data-role': 'tokens', text: g.inUse + ' / ' + g.limit + ' in use · ' + g.queued + ' queued' })))));
  if (g.children.length) li.append(el('ul', {}, ...g.children.map(groupItem)));
  return li;
}
function flatten(groups, out = []) {
  for (const g of groups) { out.push(g); flatten(g.children, out); }
  return out;
}
function renderGroups(tree) {
  const list = $('groups');
  const editing = list.contains(document.activeElement) && document.activeElement.tagName === 'INPUT';
  const names = flatten(tree.groups).map(g => g.name);
  if (editing) {
    // keep the field being typed in; refresh only the counters
    for (const g of flatten(tree.groups)) {
      const label = list.querySelector('li[data-group="' + CSS.escape(g.name) + '"] [data-role=tokens]');
      if (label) label.textContent = g.inUse + ' / ' + g.limit + ' in use · ' + g.queued + ' queued';
    }
  } else {
    list.replaceChildren(...tree.groups.map(groupItem));
  }
  $('groups-empty').hidden = tree.groups.length > 0;
  if (names.join() !== state.groups.join()) {
    state.groups = names;
    const sel = $('history-group');
    const keep = sel.value;
    sel.replaceChildren(el('option', { value: '', text: 'all' }), ...names.map(n => el('option', { value: n, text: n })));
    sel.value = names.includes(keep) ? keep : '';
  }
}

// ---- peers and rate limits ----
function nextChange(r) {
  if (!r.nextChangeMillis) return null;
  const at = new Date(r.nextChangeMillis);
  const soon = r.nextChangeMillis - Date.now() < 6 * 86400000;
  const time = soon ? at.toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' }) : at.toLocaleString();
  return 'until ' + time + ', then ' + bits(r.nextBitsPerSecond);
}
function limitTitle(r) {
  return r.schedule.join('\n') + (r.changedAtRunTime ? '\n(changed here; the config says ' + r.config.join('; ') + ')' : '');
}
/** The row under a destination: its limit now, the next change, and the button that changes it. */
function limitRow(p, r) {
  const next = nextChange(r);
  return el('tr', { class: 'limit-row', 'data-limit-for': p.name },
    el('td', { colspan: 6, 'data-role': 'limit', title: limitTitle(r) },
      r.bitsPerSecond ? 'limit ' : '',
      el('span', { class: 'now', text: r.bitsPerSecond ? bits(r.bitsPerSecond) : 'no limit' }),
      (r.changedAtRunTime ? ' (changed here)' : '') + (next ? ' · ' + next : ''),
      el('button', { type: 'button', 'data-action': 'rate', 'data-dest': r.name, title: 'change the limit of ' + r.name,
        text: '✎' })));
}
function renderNodeRate(r) {
  const next = nextChange(r);
  $('node-rate').textContent = (r.bitsPerSecond ? bits(r.bitsPerSecond) : 'none') + (r.changedAtRunTime ? ' (changed here)' : '')
    + (next ? ' · ' + next : '');
  $('node-rate').title = limitTitle(r);
}
async function loadPeers() {
  let data;
  let rates = null;
  try {
    [data, rates] = await Promise.all([api('GET', '/api/peers'), api('GET', '/api/rates').catch(() => null)]);
  } catch (e) {
    $('peers').replaceChildren();
    $('peers-empty').hidden = false;
    $('peers-empty').textContent = 'Peers not available: ' + e.message;
    return;
  }
  state.rates = rates;
  const limits = new Map((rates ? rates.destinations : []).map(r => [r.name, r]));
  const peers = data.peers || [];
  $('peers').replaceChildren(...peers.flatMap(p => peerRows(p, p.direction === 'out' ? limits.get(p.name) : null)));
  $('peers-empty').hidden = peers.length > 0;
  $('peers-empty').textContent = 'No peers configured or connected.';
  if (rates) renderNodeRate(rates.node);
}
function peerRows(p, limit) {
  const tr = el('tr', { 'data-peer': p.name, 'data-direction': p.direction, class: limit ? 'limited' : null },
    el('td', { title: p.name + ' · ' + (p.direction === 'in' ? 'sends to us' : 'we send to it') + (p.address ? ' · ' + p.address : ''),
      text: (p.direction === 'in' ? '← ' : '→ ') + (p.name.length > 20 ? p.name.slice(0, 9) + '…' : p.name) }),
    p.online ? el('td', { class: 'dot-on', text: '● online' })
      : p.why ? el('td', { class: 'dot-off', title: p.why, text: '● offline' })
        : el('td', { class: 'muted', title: 'connects when a job is for it', text: '○ idle' }),
    el('td', { 'data-role': 'link', title: 'open connections by TCP congestion control (read from each socket)',
      text: Object.entries(p.congestion || {}).map(([a, n]) => n + ' × ' + a).join(', ') }),
    el('td', { class: 'num', text: p.rttMillis == null ? '' : p.rttMillis.toFixed(p.rttMillis < 10 ? 2 : 0) + ' ms' }),
    el('td', { class: 'num', text: p.rateBytesPerSecond ? rate(p.rateBytesPerSecond) : '' }),
    el('td', { class: 'num', 'data-role': 'moved', title: 'resumes ' + p.resumes + ', credit stalls ' + p.creditStalls,
      text: p.direction === 'in' ? bytes(p.receivedBytes) + ' ↓' : bytes(p.sentBytes) + ' ↑' }));
  return limit ? [tr, limitRow(p, limit)] : [tr];
}
function openRate(name) {
  if (!state.rates) return;
  const r = name == null ? state.rates.node : state.rates.destinations.find(d => d.name === name);
  if (!r) return;
  state.rateEditing = name;
  $('rate-name').textContent = name == null ? 'whole node' : name;
  $('rate-input').value = r.schedule.join('\n');
  $('rate-config').textContent = 'Config file: ' + r.config.join('; ') + (r.changedAtRunTime ? ' · changed here since' : '');
  $('rate-error').hidden = true;
  $('rate-dialog').showModal();
}
async function saveRate(method) {
  const name = state.rateEditing;
  const path = name == null ? '/api/rates/node' : '/api/rates/destinations/' + encodeURIComponent(name);
  const lines = $('rate-input').value.split('\n').map(l => l.trim()).filter(Boolean);
  try {
    await api(method, path, method === 'PUT' ? { rate: lines.length === 1 ? lines[0] : lines } : undefined);
    $('rate-dialog').close();
    clearError();
    loadPeers();
  } catch (e) {
    $('rate-error').textContent = e.message;
    $('rate-error').hidden = false;
  }
}

// ---- node ----
function renderNode() {
  const n = state.node;
  if (!n) return;
  const up = (Date.now() - n.startedMillis) / 1000;
  $('node').textContent = 'node ' + n.id.slice(0, 16) + '… · ' + n.version + ' · up ' + duration(up);
  $('node').title = n.id;
}

// ---- refresh ----
function refreshSoon() {
  if (state.pending) return;
  state.pending = setTimeout(async () => {
    state.pending = null;
    try {
      await Promise.all([loadQueue(), loadHistory()]);
    } catch (e) {
      showError(e.message);
    }
  }, 150);
}
function onTick(t) {
  renderGroups(t.groups);
  updateRunning(t.running);
  // the queued jobs the transfer table would show now, against those it shows (a move made elsewhere, ...)
  const expected = t.queued.slice(0, Math.max(0, QUEUE_PAGE - t.running.length));
  if (expected.join() !== state.queued.join()) refreshSoon();
}
function connect() {
  const es = new EventSource('/api/events');
  es.onopen = () => {
    $('live').className = 'live on';
    $('live').textContent = 'live';
    refreshSoon();
  };
  es.onerror = () => {
    $('live').className = 'live off';
    $('live').textContent = 'reconnecting…';
  };
  es.addEventListener('tick', e => onTick(JSON.parse(e.data)));
  es.addEventListener('job', () => refreshSoon());
}

// ---- wiring ----
function jobIdOf(target) {
  const tr = target.closest('tr[data-job-id]');
  return tr ? Number(tr.dataset.jobId) : null;
}
async function onAction(e) {
  const b = e.target.closest('button[data-action]');
  if (!b) return;
  const id = jobIdOf(b);
  if (id == null) return;
  switch (b.dataset.action) {
    case 'top': return act('POST', '/api/jobs/' + id + '/move', { where: 'top' });
    case 'bottom': return act('POST', '/api/jobs/' + id + '/move', { where: 'bottom' });
    case 'retry': return act('POST', '/api/jobs/' + id + '/retry');
    case 'cancel': {
      const file = b.closest('tr').querySelector('td.file').textContent;
      if (confirm('Cancel job ' + id + ' (' + file + ')?')) return act('POST', '/api/jobs/' + id + '/cancel');
    }
  }
}
function dragAndDrop(body) {
  let dragged = null;
  body.addEventListener('dragstart', e => {
    const tr = e.target.closest('tr[draggable=true]');
    if (!tr) return;
    dragged = tr.dataset.jobId;
    tr.classList.add('dragging');
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', dragged);
  });
  body.addEventListener('dragend', e => {
    e.target.closest('tr')?.classList.remove('dragging');
    body.querySelectorAll('.drop-target').forEach(t => t.classList.remove('drop-target'));
  });
  body.addEventListener('dragover', e => {
    const tr = e.target.closest('tr[data-state=QUEUED]');
    if (!dragged || !tr || tr.dataset.jobId === dragged) return;
    e.preventDefault();
    body.querySelectorAll('.drop-target').forEach(t => t.classList.remove('drop-target'));
    tr.classList.add('drop-target');
  });
  body.addEventListener('drop', e => {
    const tr = e.target.closest('tr[data-state=QUEUED]');
    if (!dragged || !tr || tr.dataset.jobId === dragged) return;
    e.preventDefault();
    act('POST', '/api/jobs/' + dragged + '/move', { where: 'before', other: Number(tr.dataset.jobId) });
    dragged = null;
  });
}
function init() {
  updateTokenButton();
  $('token-button').addEventListener('click', askToken);
  $('token-cancel').addEventListener('click', () => $('token-dialog').close());
  $('token-form').addEventListener('submit', () => {
    const t = $('token-input').value.trim();
    if (t) localStorage.setItem(TOKEN_KEY, t);
    updateTokenButton();
    clearError();
  });
  $('error-close').addEventListener('click', clearError);
  $('queue').addEventListener('click', onAction);
  $('history').addEventListener('click', onAction);
  dragAndDrop($('queue'));
  $('groups').addEventListener('submit', e => {
    e.preventDefault();
    const form = e.target.closest('form[data-group]');
    const input = form.querySelector('input');
    const limit = Number(input.value);
    if (!Number.isInteger(limit) || limit < 1) { showError('a limit is a whole number of at least 1'); return; }
    input.blur();
    act('PUT', '/api/groups/' + encodeURIComponent(form.dataset.group) + '/limit', { limit });
  });
  $('peers').addEventListener('click', e => {
    const b = e.target.closest('button[data-action=rate]');
    if (b) openRate(b.dataset.dest);
  });
  $('node-rate-edit').addEventListener('click', () => openRate(null));
  $('rate-form').addEventListener('submit', e => { e.preventDefault(); saveRate('PUT'); });
  $('rate-reset').addEventListener('click', () => saveRate('DELETE'));
  $('rate-cancel').addEventListener('click', () => $('rate-dialog').close());
  $('history-filter').addEventListener('submit', e => e.preventDefault());
  const reloadHistory = () => { state.history.offset = 0; loadHistory().catch(e => showError(e.message)); };
  $('history-state').addEventListener('change', reloadHistory);
  $('history-group').addEventListener('change', reloadHistory);
  let typing = null;
  $('history-text').addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(reloadHistory, 300); });
  $('history-prev').addEventListener('click', () => {
    state.history.offset = Math.max(0, state.history.offset - HISTORY_PAGE);
    loadHistory().catch(e => showError(e.message));
  });
  $('history-next').addEventListener('click', () => {
    state.history.offset += HISTORY_PAGE;
    loadHistory().catch(e => showError(e.message));
  });
  api('GET', '/api/node').then(n => { state.node = n; renderNode(); }).catch(e => showError(e.message));
  api('GET', '/api/groups').then(renderGroups).catch(e => showError(e.message));
  refreshSoon();
  loadPeers();
  setInterval(loadPeers, 5000);
  setInterval(renderNode, 30000);
  connect();
}
document.addEventListener('DOMContentLoaded', init);
