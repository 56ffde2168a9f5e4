// The trustbit fleet dashboard (docs/verifier.md "Dashboard"). Plain JavaScript, no build step, no third-party
// code. The token the user enters stays in this tab's sessionStorage and goes only into the Authorization
// header of requests to this origin (no cookies, so no cross-site request can act with it). Every value from
// the verifier is put into the page as text (textContent), never as markup.
'use strict';

const PAGE = 100;           // rows shown at once: the list stays quick however large the fleet
const POLL_MS = 2000;       // live updates: changes since the last cursor
const FULL_MS = 60000;      // and a full read now and then (group policy changes, expiry)
const TOKEN_KEY = 'trustbit.token';

const fleet = { nodes: new Map(), cursor: null, offset: 0, loaded: false };
let sorted = [];            // node ids, sorted, rebuilt when nodes are added
let page = 0;
let lastFull = 0;
let pollTimer = null;
let policies = null;
let renderedAt = 0;         // verifier time of the last rendering of the list

const $ = (id) => document.getElementById(id);

function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }

async function api(method, path, body) {
  const headers = { 'Authorization': 'Bearer ' + token() };
  const init = { method, headers, cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  let json = null;
  try { json = await r.json(); } catch (e) { json = null; }
  if (!r.ok) {
    const err = new Error((json && json.error && json.error.message) || ('HTTP ' + r.status));
    err.status = r.status;
    err.code = json && json.error && json.error.code;
    throw err;
  }
  return json;
}

function showError(text) {
  const e = $('error');
  e.textContent = text || '';
  e.hidden = !text;
}

function setLive(on, text) {
  const l = $('live');
  l.textContent = text;
  l.classList.toggle('off', !on);
}

// ---- the fleet ----

/** A node's state by the verifier's clock now: trusted or untrusted verdicts of enrolled nodes expire into stale. */
function stateOf(n) {
  if ((n.state === 'trusted' || n.state === 'untrusted') && n.status === 'enrolled'
      && n.expiresAt !== undefined && n.expiresAt <= Date.now() + fleet.offset) {
    return 'stale';
  }
  return n.state;
}

function merge(answer) {
  fleet.offset = answer.serverTime - Date.now();
  fleet.cursor = answer.cursor;
  let added = false;
  if (!answer.changesOnly) {
    fleet.nodes = new Map();
    added = true;
  }
  // a changes answer may repeat nodes the page already has as they are (its cursor overlaps by a millisecond)
  const changed = [];
  for (const n of answer.nodes) {
    n.key = JSON.stringify(n);
    const old = fleet.nodes.get(n.id);
    if (!old) {
      added = true;
    } else if (old.key === n.key) {
      continue;
    }
    n.search = (n.id + ' ' + (n.group || '') + ' ' + (n.policy || '') + ' ' + (n.failed || []).join(' ')).toLowerCase();
    fleet.nodes.set(n.id, n);
    changed.push(n.id);
  }
  if (added) {
    sorted = Array.from(fleet.nodes.keys()).sort();
  }
  fleet.loaded = true;
  if (!answer.complete) {
    showError('the fleet is larger than one answer holds: only part of it is shown');
  }
  return changed;
}

async function refresh() {
  const full = !fleet.cursor || Date.now() - lastFull > FULL_MS;
  let changed;
  try {
    const answer = await api('GET', full ? '/v1/fleet' : '/v1/fleet/changes/' + fleet.cursor);
    if (full) {
      lastFull = Date.now();
    }
    changed = merge(answer);
    setLive(true, 'live · ' + new Date().toLocaleTimeString());
    if (!$('error').textContent.startsWith('the fleet is larger')) {
      showError('');
    }
  } catch (e) {
    setLive(false, 'not updating');
    showError(e.status === 401 || e.status === 403 ? 'refused: ' + e.message + ' (enter a token above)' : 'cannot read the fleet: ' + e.message);
    return;
  }
  if (full || changed.length > 0 || expiredSince(renderedAt)) {
    renderFleet();
  }
  const open = currentNode();
  if (open && (full || changed.includes(open))) {
    loadNode(open, false);
  }
}

function schedule() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(async () => { await refresh(); schedule(); }, POLL_MS);
}

/** Whether some node's verdict expired since {@code t} (verifier time): its row must turn stale. */
function expiredSince(t) {
  const now = Date.now() + fleet.offset;
  for (const n of fleet.nodes.values()) {
    if (n.expiresAt > t && n.expiresAt <= now) {
      return true;
    }
  }
  return false;
}

function matching() {
  const q = $('search').value.trim().toLowerCase();
  const want = $('filter').value;
  const out = [];
  for (const id of sorted) {
    const n = fleet.nodes.get(id);
    if ((want === '' || stateOf(n) === want) && (q === '' || n.search.includes(q))) {
      out.push(n);
    }
  }
  return out;
}

function renderFleet() {
  if (!fleet.loaded) {
    return; // nothing read yet: the counts stay blank rather than claim an empty fleet
  }
  renderedAt = Date.now() + fleet.offset;
  const counts = { trusted: 0, untrusted: 0, stale: 0, never: 0 };
  for (const n of fleet.nodes.values()) {
    counts[stateOf(n)]++;
  }
  $('count-all').textContent = fleet.nodes.size;
  for (const s of Object.keys(counts)) {
    $('count-' + s).textContent = counts[s];
  }
  for (const c of document.querySelectorAll('.card')) {
    c.classList.toggle('selected', c.dataset.state === $('filter').value);
  }
  const list = matching();
  const pages = Math.max(1, Math.ceil(list.length / PAGE));
  page = Math.min(page, pages - 1);
  const from = page * PAGE;
  const rows = document.createDocumentFragment();
  for (const n of list.slice(from, from + PAGE)) {
    const state = stateOf(n);
    const tr = document.createElement('tr');
    tr.className = 's-' + state;
    tr.dataset.node = n.id;
    const a = document.createElement('a');
    a.href = '#node/' + encodeURIComponent(n.id);
    a.textContent = n.id;
    const first = document.createElement('td');
    first.appendChild(a);
    tr.appendChild(first);
    for (const v of [state, n.status, n.verdict || '', (n.failed || []).join(', '), n.policy || '', n.group || '',
      n.issuedAt ? new Date(n.issuedAt).toISOString() : '']) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.appendChild(td);
    }
    rows.appendChild(tr);
  }
  $('rows').replaceChildren(rows);
  $('shown').textContent = list.length === 0 ? 'no node matches'
    : (from + 1) + '–' + Math.min(from + PAGE, list.length) + ' of ' + list.length;
  $('prev').disabled = page === 0;
  $('next').disabled = page >= pages - 1;
  if (performance.getEntriesByName('trustbit:list-rendered').length === 0) {
    performance.mark('trustbit:list-rendered'); // the first list on the page (scripts/bench/dashboard reads it)
  }
}

// ---- one node ----

function currentNode() {
  const m = /^#node\/(.+)$/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

function facts(dl, pairs) {
  const f = document.createDocumentFragment();
  for (const [k, v] of pairs) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v === null || v === undefined || v === '' ? '—' : String(v);
    f.append(dt, dd);
  }
  dl.replaceChildren(f);
}

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) {
    td.className = cls;
  }
  tr.appendChild(td);
}

function reasonsText(reasons) {
  return (reasons || []).map((r) => r.check + ': ' + r.detail).join('; ');
}

function step(title, lines, refused) {
  const d = document.createElement('div');
  d.className = 'step' + (refused ? ' refused' : '');
  const h = document.createElement('h4');
  h.textContent = title;
  d.appendChild(h);
  for (const [label, value] of lines) {
    const p = document.createElement('code');
    p.textContent = label + ': ' + (value === null || value === undefined || value === '' ? '—' : value);
    d.appendChild(p);
  }
  return d;
}

function renderChain(answer) {
  const box = $('chain');
  if (!answer) {
    box.textContent = 'no launch chain proven yet (the node has not sent evidence whose DRTM log replayed)';
    return;
  }
  const c = answer.chain;
  const wrap = document.createElement('div');
  wrap.className = 'chain';
  wrap.appendChild(step('SLB (PCR 17)', [['digest', c.slb], ['bank', c.bank]]));
  wrap.appendChild(step('VMM (PCR 17)', [['digest', c.vmm]]));
  wrap.appendChild(step('Launch (PCR 18)', [['type', c.launchType], ['configuration', (c.launchConfig || []).join(', ')],
    ['DMA protection', c.dmaProtection]]));
  for (const g of c.guests || []) {
    if (g.error) {
      wrap.appendChild(step('Guest (PCR 19)', [['unreadable', g.error]], true));
    } else {
      wrap.appendChild(step('Guest ' + g.name + (g.linux ? ' (Linux)' : ''), [['decision', g.decision + (g.reason ? ' (reason ' + g.reason + ')' : '')],
        ['signer', g.signerKeyId], ['security version', g.securityVersion], ['image SHA-256', g.imageSha256]],
      g.decision !== 'launched'));
    }
  }
  const note = document.createElement('p');
  note.textContent = 'recorded ' + answer.recordedAt + ' from the last verified DRTM event log';
  box.replaceChildren(wrap, note);
}

async function policyList() {
  if (!policies) {
    policies = await api('GET', '/v1/policies');
  }
  return policies;
}

async function loadNode(id, clearResult) {
  let node;
  let chain = null;
  try {
    node = await api('GET', '/v1/nodes/' + encodeURIComponent(id));
  } catch (e) {
    showError('cannot read node ' + id + ': ' + e.message);
    return;
  }
  try {
    chain = await api('GET', '/v1/nodes/' + encodeURIComponent(id) + '/launch-chain');
  } catch (e) {
    if (e.status !== 404) {
      showError('cannot read the launch chain: ' + e.message);
    }
  }
  if (currentNode() !== id) {
    return;
  }
  const listed = fleet.nodes.get(id);
  const state = listed ? stateOf(listed) : (node.trusted ? 'trusted' : node.stale ? 'stale' : 'untrusted');
  $('node-id').textContent = id;
  const badge = $('node-state');
  badge.textContent = state;
  badge.className = 'badge ' + state;
  const v = node.latestVerdict;
  facts($('node-facts'), [['enrollment', node.status], ['trusted', node.trusted ? 'yes' : 'no'], ['group', node.group],
    ['own policy', node.policyId], ['latest verdict', v && v.status], ['issued', v && v.issuedAt], ['expires', v && v.expiresAt]]);
  const failed = document.createDocumentFragment();
  for (const r of (v && v.reasons) || []) {
    const li = document.createElement('li');
    const b = document.createElement('b');
    b.textContent = r.check;
    li.append(b, ': ' + r.detail);
    failed.appendChild(li);
  }
  if (!failed.childNodes.length) {
    const li = document.createElement('li');
    li.textContent = v ? 'none' : 'no verdict yet';
    failed.appendChild(li);
  }
  $('node-failed').replaceChildren(failed);
  renderChain(chain);
  const hist = document.createDocumentFragment();
  for (const h of node.history || []) {
    const tr = document.createElement('tr');
    cell(tr, h.issuedAt);
    cell(tr, h.status);
    cell(tr, reasonsText(h.reasons), 'wrap');
    cell(tr, h.policyId || '');
    cell(tr, h.expiresAt);
    hist.appendChild(tr);
  }
  $('history').replaceChildren(hist);
  const att = document.createDocumentFragment();
  for (const a of node.failedAttempts || []) {
    const tr = document.createElement('tr');
    cell(tr, a.receivedAt);
    cell(tr, reasonsText(a.reasons), 'wrap');
    att.appendChild(tr);
  }
  $('attempts').replaceChildren(att);
  let list = null;
  try {
    list = await policyList();
  } catch (e) {
    showError('cannot read policies: ' + e.message);
  }
  if (list) {
    const inForce = (listed && listed.policy) || node.policyId || list.default;
    const p = list.policies.find((x) => x.id === inForce);
    facts($('policy'), p ? [['id', p.id], ['file', p.file], ['valid', p.valid ? 'yes' : 'no: ' + p.error],
      ['description', p.description], ['digest', p.digest], ['bank', p.bank], ['PCRs read', (p.pcrs || []).join(', ')],
      ['emulated launch allowed', p.allowEmulated === undefined ? '' : (p.allowEmulated ? 'yes' : 'no')]]
      : [['id', inForce], ['state', 'no such policy is loaded']]);
    const sel = $('policy-select');
    const keep = sel.value;
    sel.replaceChildren(...list.policies.map((x) => new Option(x.id, x.id)));
    sel.value = keep || inForce;
  }
  $('revoke').disabled = node.status === 'revoked';
  if (clearResult) {
    $('action-result').textContent = '';
  }
}

async function act(what, method, path, body) {
  const id = currentNode();
  const out = $('action-result');
  try {
    await api(method, path, body);
    out.textContent = what + ': done';
  } catch (e) {
    out.textContent = what + ' refused: ' + e.message + ' (' + e.status + ')';
    return;
  }
  await refresh();
  if (id) {
    await loadNode(id, false);
  }
}

let revokeArmed = 0;

function route() {
  const id = currentNode();
  $('fleet-view').hidden = id !== null;
  $('node-view').hidden = id === null;
  if (id !== null) {
    $('node-id').textContent = id;
    revokeArmed = 0;
    $('revoke').textContent = 'Revoke';
    loadNode(id, true);
  } else {
    renderFleet();
  }
}

function start() {
  $('token').value = '';
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    $('token').value = '';
    policies = null;
    fleet.cursor = null;
    refresh().then(route);
  });
  $('forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  });
  $('search').addEventListener('input', () => { page = 0; renderFleet(); });
  $('filter').addEventListener('change', () => { page = 0; renderFleet(); });
  $('prev').addEventListener('click', () => { page = Math.max(0, page - 1); renderFleet(); });
  $('next').addEventListener('click', () => { page++; renderFleet(); });
  for (const c of document.querySelectorAll('.card')) {
    c.addEventListener('click', () => { $('filter').value = c.dataset.state; page = 0; renderFleet(); });
  }
  // revocation is final: the first click arms the button, a second one within five seconds revokes
  $('revoke').addEventListener('click', () => {
    const id = currentNode();
    if (Date.now() - revokeArmed > 5000) {
      revokeArmed = Date.now();
      $('revoke').textContent = 'Click again to revoke ' + id;
      return;
    }
    revokeArmed = 0;
    $('revoke').textContent = 'Revoke';
    act('revoke', 'POST', '/v1/nodes/' + encodeURIComponent(id) + '/revoke');
  });
  $('assign').addEventListener('click', () => {
    const id = currentNode();
    act('policy ' + $('policy-select').value, 'PUT', '/v1/nodes/' + encodeURIComponent(id) + '/policy',
      { policyId: $('policy-select').value });
  });
  window.addEventListener('hashchange', route);
  refresh().then(() => { route(); schedule(); });
}

document.addEventListener('DOMContentLoaded', start);
