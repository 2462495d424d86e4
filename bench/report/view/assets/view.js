/* sumbench results viewer.
 *
 * A static page: every piece of data arrives as a script file under data/ that calls
 * window.__sumbench_chunk(name, payload), so the site works from file:// where fetch() of local
 * files is blocked. Text from the data is only ever inserted with textContent (createTextNode),
 * never parsed as HTML, and the page's Content-Security-Policy allows scripts from its own
 * folder only.
 */
(function () {
  'use strict';

  // ------------------------------------------------------------------ data loading
  var waiting = {};
  var loaded = {};
  var CHUNKS_KEPT = 24;
  var chunkOrder = [];

  window.__sumbench_chunk = function (name, payload) {
    loaded[name] = payload;
    var w = waiting[name];
    if (w) { delete waiting[name]; w.resolve(payload); }
  };

  function load(name) {
    if (Object.prototype.hasOwnProperty.call(loaded, name)) return Promise.resolve(loaded[name]);
    if (waiting[name]) return waiting[name].promise;
    var entry = {};
    entry.promise = new Promise(function (resolve, reject) {
      entry.resolve = resolve;
      var script = document.createElement('script');
      script.src = 'data/' + name + '.js';
      script.async = true;
      script.onerror = function () {
        delete waiting[name];
        reject(new Error('cannot load data/' + name + '.js'));
      };
      script.onload = function () { script.remove(); };
      document.head.appendChild(script);
    });
    waiting[name] = entry;
    if (name.indexOf('chunks/') === 0) {
      chunkOrder.push(name);
      while (chunkOrder.length > CHUNKS_KEPT) delete loaded[chunkOrder.shift()];
    }
    return entry.promise;
  }

  // ------------------------------------------------------------------ DOM helpers (text only)
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === 'class') node.className = value;
        else if (key === 'text') node.textContent = String(value);
        else if (key === 'href') node.setAttribute('href', safeHref(value));
        else if (key.indexOf('on') === 0 && typeof value === 'function') node.addEventListener(key.slice(2), value);
        else if (key === 'checked' || key === 'value' || key === 'disabled' || key === 'selected') node[key] = value;
        else node.setAttribute(key, String(value));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node) {
    for (var i = 1; i < arguments.length; i++) appendOne(node, arguments[i]);
  }

  function appendOne(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { appendOne(node, c); }); return; }
    node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }

  function safeHref(value) {
    var text = String(value);
    if (text.charAt(0) === '#') return text;
    if (/^https?:\/\//i.test(text)) return text;
    return '#';
  }

  function svg(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  // ------------------------------------------------------------------ routes
  function enc(text) { return encodeURIComponent(text); }
  function dec(text) { try { return decodeURIComponent(text); } catch (e) { return text; } }
  function link(parts, query) {
    var hash = '#/' + parts.map(enc).join('/');
    var q = Object.keys(query || {}).filter(function (k) {
      return query[k] !== '' && query[k] !== null && query[k] !== undefined;
    }).map(function (k) { return enc(k) + '=' + enc(query[k]); });
    return q.length ? hash + '?' + q.join('&') : hash;
  }
  function parseRoute() {
    var hash = location.hash.replace(/^#\/?/, '');
    var cut = hash.indexOf('?');
    var path = cut >= 0 ? hash.slice(0, cut) : hash;
    var query = {};
    if (cut >= 0) {
      hash.slice(cut + 1).split('&').forEach(function (pair) {
        if (!pair) return;
        var eq = pair.indexOf('=');
        query[dec(eq >= 0 ? pair.slice(0, eq) : pair)] = eq >= 0 ? dec(pair.slice(eq + 1)) : '';
      });
    }
    return { parts: path ? path.split('/').map(dec) : [], query: query };
  }
  function go(hash) { if (location.hash !== hash) location.hash = hash; else render(); }
  function setQuery(route, changes) {
    var query = Object.assign({}, route.query, changes);
    history.replaceState(null, '', link(route.parts, query));
  }

  // ------------------------------------------------------------------ formatting
  var M = null;
  var metricsByName = {};
  function metric(name) { return metricsByName[name] || { name: name, label: name, scale: 1, digits: 3, higher_is_better: null }; }
  // Python's f'{x:.Nf}', as table.md and `sumbench compare` print: the binary value rounded,
  // a tie to even (toFixed rounds a tie away from zero: 46.25 would be 46.3, not 46.2)
  function fixed(x, digits) {
    var text = x.toFixed(digits);
    if (!isFinite(x) || Math.abs(x) >= 1e21) return text;
    var exact = x.toFixed(100);  // a tie has at most digits + 1 decimals: all of them are here
    var dot = exact.indexOf('.');
    if (!/^50*$/.test(exact.slice(dot + 1 + digits))) return text;
    var kept = exact.slice(0, digits ? dot + 1 + digits : dot);
    return Number(kept.charAt(kept.length - 1)) % 2 === 0 ? kept : text;
  }
  function fmt(value, m) {
    if (value === null || value === undefined || isNaN(value)) return '–';
    var text = fixed(value * m.scale, m.digits);
    return Number(text) === 0 ? text.replace(/^-/, '') : text;
  }
  function fmtSigned(value, m) {
    if (value === null || value === undefined) return '–';
    var text = fixed(value * m.scale, m.digits + 1);
    return (value > 0 ? '+' : '') + text;
  }
  function verdictClass(text) { return 'verdict v-' + String(text).toLowerCase().replace(/[^a-z]+/g, '-'); }
  function verdictTag(text) { return el('span', { class: verdictClass(text), text: text }); }
  function shownMetrics() {
    var shown = M.metrics.filter(function (m) { return m.shown; });
    return shown.length ? shown : M.metrics;
  }
  function isBound(system) {
    return M.systems.some(function (s) { return s.name === system && s.bound; });
  }
  function systemNames() {
    var names = M.systems.map(function (s) { return s.name; });
    (M.extra_systems || []).forEach(function (s) { if (names.indexOf(s) < 0) names.push(s); });
    return names;
  }

  // ------------------------------------------------------------------ task index and chunks
  function taskIndex() { return load('tasks'); }
  function positionOf(index, id) {
    if (!index.byId) {
      index.byId = {};
      index.ids.forEach(function (t, i) { index.byId[t] = i; });
    }
    return Object.prototype.hasOwnProperty.call(index.byId, id) ? index.byId[id] : -1;
  }
  function chunkOf(index, position) {
    var lo = 0, hi = index.starts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (index.starts[mid] <= position) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  function loadTask(id) {
    return taskIndex().then(function (index) {
      var position = positionOf(index, id);
      if (position < 0) throw new Error('no task ' + JSON.stringify(id) + ' in this run');
      return load('chunks/' + chunkOf(index, position)).then(function (chunk) {
        var task = chunk.filter(function (t) { return t.id === id; })[0];
        if (!task) throw new Error('task ' + JSON.stringify(id) + ' missing from its chunk');
        return task;
      });
    });
  }
  function metricValues(name) {
    return load('metrics/' + metric(name).file);
  }

  // ------------------------------------------------------------------ word overlap (fallback highlighting)
  var STOP = new Set(('a an the and or but of to in on at by for with from as is are was were be been being it its this that these those ' +
    'he she they them his her their we you i not no has have had do does did will would can could should may might than then so ' +
    'said says also after before over into about up out more most some such there here which who whom what when where while').split(' '));
  function contentWords(text) {
    var found = String(text).toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
    return found.filter(function (w) { return w.length > 1 && !STOP.has(w); }).map(function (w) {
      return w.length > 4 && w.charAt(w.length - 1) === 's' ? w.slice(0, -1) : w;
    });
  }
  function closestSentences(task, text, limit) {
    var target = new Set(contentWords(text));
    if (!target.size || !task.texts) return [];
    var scored = [];
    task.texts.documents.forEach(function (doc, d) {
      var index = 0;
      doc.paragraphs.forEach(function (para) {
        para.forEach(function (sentence) {
          var words = new Set(contentWords(sentence));
          var shared = 0;
          target.forEach(function (w) { if (words.has(w)) shared += 1; });
          var score = shared / target.size;
          if (score >= 0.34) scored.push({ doc: d, index: index, score: score });
          index += 1;
        });
      });
    });
    scored.sort(function (a, b) { return b.score - a.score; });
    return scored.slice(0, limit || 3);
  }

  // ------------------------------------------------------------------ shared widgets
  function crumbs() {
    var node = el('div', { class: 'crumbs' });
    for (var i = 0; i < arguments.length; i++) {
      if (i) append(node, ' › ');
      var c = arguments[i];
      append(node, c.href ? el('a', { href: c.href, text: c.text }) : c.text);
    }
    return node;
  }

  function sourcesPanel(task) {
    var panel = el('div', { class: 'panel sources' }, el('h3', { text: 'Sources' }));
    var legend = el('div', { class: 'legend muted' },
      el('span', { class: 'l-support', text: 'supports' }), el('span', { class: 'l-contradict', text: 'contradicts' }),
      el('span', { class: 'l-near', text: 'closest by word overlap' }), el('span', { class: 'l-picked', text: 'picked by the system' }));
    append(panel, legend);
    if (!task.texts) {
      append(panel, el('p', { class: 'empty', text: 'The texts of this task are not available: ' + M.tasks.note }));
      return panel;
    }
    if (task.texts.changed && task.texts.changed.length) {
      append(panel, el('p', { class: 'banner bad', text: 'Changed since the run scored it: ' + task.texts.changed.join(', ') + '. The texts below are the current ones.' }));
    }
    task.texts.documents.forEach(function (doc, d) {
      var box = el('div', { class: 'doc', id: 'doc-' + d });
      var head = [el('b', { text: doc.id }), doc.title ? ' ' + doc.title : ''];
      append(box, el('div', { class: 'meta' }, head, doc.outlet ? ' · ' + doc.outlet : '', doc.date ? ' · ' + doc.date : '',
        doc.url ? [' · ', /^https?:\/\//i.test(doc.url) ? el('a', { href: doc.url, text: doc.url, rel: 'noopener noreferrer', target: '_blank' }) : doc.url] : ''));
      var index = 0;
      doc.paragraphs.forEach(function (para) {
        var p = el('p');
        para.forEach(function (sentence) {
          append(p, el('span', { class: 's', 'data-doc': d, 'data-i': index, text: sentence }));
          append(p, ' ');
          index += 1;
        });
        append(box, p);
      });
      append(panel, box);
    });
    return panel;
  }

  function docIndex(task, id) {
    if (!task.texts) return -1;
    for (var d = 0; d < task.texts.documents.length; d++) if (task.texts.documents[d].id === id) return d;
    return -1;
  }

  function sentenceText(task, d, i) {
    if (!task.texts || d < 0) return null;
    var n = 0, found = null;
    task.texts.documents[d].paragraphs.forEach(function (para) {
      para.forEach(function (s) { if (n === i) found = s; n += 1; });
    });
    return found;
  }

  function findSentence(task, docId, text) {
    var d = docIndex(task, docId);
    var docs = d >= 0 ? [d] : (task.texts ? task.texts.documents.map(function (_, k) { return k; }) : []);
    var wanted = String(text).trim();
    for (var k = 0; k < docs.length; k++) {
      var n = 0, hit = -1;
      task.texts.documents[docs[k]].paragraphs.forEach(function (para) {
        para.forEach(function (s) {
          if (hit < 0 && (s === wanted || s.indexOf(wanted) >= 0 || (wanted.length > 20 && wanted.indexOf(s) >= 0))) hit = n;
          n += 1;
        });
      });
      if (hit >= 0) return { doc: docs[k], index: hit };
    }
    return null;
  }

  function highlight(root, marks) {
    root.querySelectorAll('.sources .s').forEach(function (node) {
      node.classList.remove('hl-near', 'hl-support', 'hl-contradict');
    });
    var first = null;
    marks.forEach(function (mark) {
      var node = root.querySelector('.sources .s[data-doc="' + mark.doc + '"][data-i="' + mark.index + '"]');
      if (node) { node.classList.add(mark.cls); if (!first) first = node; }
    });
    if (first) first.scrollIntoView({ block: 'center', behavior: 'auto' });
  }

  function claimMark(task, claim) {
    var where = null;
    if (claim.evidence_index !== null && claim.evidence_index !== undefined) {
      where = { doc: docIndex(task, claim.evidence_doc), index: claim.evidence_index };
    } else if (claim.evidence) {
      where = findSentence(task, claim.evidence_doc, claim.evidence);
    }
    if (!where || where.doc < 0) return null;
    var v = String(claim.verdict);
    where.cls = v.indexOf('contradict') >= 0 ? 'hl-contradict' : v.indexOf('support') >= 0 ? 'hl-support' : 'hl-near';
    return where;
  }

  function sentenceMarks(task, item, sample, index, sentence) {
    var claims = ((item.evidence || {}).claims || []).filter(function (c) {
      return c.sample === sample.sample && c.sentence === index;
    });
    var marks = claims.map(function (c) { return claimMark(task, c); }).filter(Boolean);
    if (marks.length) return marks;
    return closestSentences(task, sentence, 3).map(function (m) { m.cls = 'hl-near'; return m; });
  }

  function summaryBlock(task, item, sample, root) {
    var box = el('div', { class: 'summary' });
    if (!sample.sentences.length) append(box, el('span', { class: 'empty', text: '(empty summary)' }));
    sample.sentences.forEach(function (sentence, i) {
      var span = el('span', { class: 's', 'data-i': i, text: sentence, title: 'sentence ' + i + ': click to show its evidence in the sources' });
      span.addEventListener('click', function () {
        root.querySelectorAll('.summary .s.chosen').forEach(function (n) { n.classList.remove('chosen'); });
        span.classList.add('chosen');
        highlight(root, sentenceMarks(task, item, sample, i, sentence));
      });
      append(box, span);
      append(box, ' ');
    });
    return box;
  }

  function markEvidenceInSummary(box, evidence) {
    box.querySelectorAll('.s').forEach(function (node) {
      var on = !!evidence && (node.textContent === evidence || node.textContent.indexOf(evidence) >= 0 || evidence.indexOf(node.textContent) >= 0);
      node.classList.toggle('chosen', on);
    });
  }

  function pickedMarks(sample) {
    var picked = (sample.meta || {}).selected;
    if (!Array.isArray(picked)) return [];
    return picked.filter(function (p) { return Array.isArray(p) && p.length === 2; })
      .map(function (p) { return { doc: p[0], index: p[1], cls: 'hl-picked' }; });
  }

  function verdictFilter(values, current, onChange) {
    var select = el('select', { 'aria-label': 'verdict filter', onchange: function () { onChange(select.value); } });
    append(select, el('option', { value: '', text: 'every verdict' }));
    values.forEach(function (v) { append(select, el('option', { value: v, text: v, selected: v === current })); });
    return el('label', null, 'Verdict ', select);
  }

  function pager(total, page, size, onPage) {
    var pages = Math.max(1, Math.ceil(total / size));
    return el('div', { class: 'pager' },
      el('button', { text: '‹ previous', disabled: page <= 0, onclick: function () { onPage(page - 1); } }),
      el('span', { class: 'muted', text: 'page ' + (page + 1) + ' of ' + pages + ' · ' + total + ' rows' }),
      el('button', { text: 'next ›', disabled: page >= pages - 1, onclick: function () { onPage(page + 1); } }));
  }

  // ------------------------------------------------------------------ keyboard navigation context
  var context = null; // {label, href, items: [[task, system], ...]}
  function itemHref(task, system) { return link(['item', task, system]); }
  function neighbour(task, system, step) {
    if (!context) return null;
    for (var i = 0; i < context.items.length; i++) {
      if (context.items[i][0] === task && context.items[i][1] === system) {
        var next = context.items[i + step];
        return next ? itemHref(next[0], next[1]) : null;
      }
    }
    return null;
  }
  var keys = { next: null, prev: null, left: null, right: null, focus: null };

  document.addEventListener('keydown', function (event) {
    var tag = (event.target && event.target.tagName) || '';
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || event.ctrlKey || event.metaKey || event.altKey) return;
    var k = event.key;
    var target = null;
    if (k === 'j' || k === 'ArrowDown' && keys.list) target = keys.next;
    else if (k === 'k' || k === 'ArrowUp' && keys.list) target = keys.prev;
    else if (k === 'l' || k === 'ArrowRight') target = keys.right;
    else if (k === 'h' || k === 'ArrowLeft') target = keys.left;
    else if (k === 't') target = '#/';
    else if (k === '/' && keys.focus) { event.preventDefault(); keys.focus.focus(); return; }
    else if (k === '?') target = '#/help';
    else if (k === 'Enter' && keys.open) target = keys.open;
    if (typeof target === 'function') { event.preventDefault(); target(); }
    else if (target) { event.preventDefault(); go(target); }
  });

  // ------------------------------------------------------------------ pages
  var main = null;

  function pageTable() {
    var t = M.table;
    var table = el('table', { class: 'results' });
    var head = el('tr');
    t.header.forEach(function (cell, i) { append(head, el('th', { class: i ? 'num' : null, text: cell.text })); });
    append(table, el('thead', null, head));
    var body = el('tbody');
    t.rows.forEach(function (row) {
      if (row.group) {
        append(body, el('tr', { class: 'group' }, el('td', { colspan: t.header.length, text: row.cells[0].text })));
        return;
      }
      var tr = el('tr');
      row.cells.forEach(function (cell, i) {
        var content = cell.text;
        var column = t.columns[i];
        if (i === 0 && row.system !== null) {
          content = el('a', { href: link(['dist', row.system, distMetric()]), text: cell.text, title: 'items of ' + row.system });
        } else if (i > 0 && column && row.system !== null && cell.text !== '–') {
          content = el('a', { href: link(['dist', row.system, column]), text: cell.text, title: 'per-item ' + metric(column).label + ' of ' + row.system });
        }
        if (cell.bold) content = el('strong', null, content);
        if (cell.italic) content = el('em', null, content);
        append(tr, el('td', { class: i ? 'num' : null }, content));
      });
      append(body, tr);
    });
    append(table, body);
    var notes = el('div', { class: 'notes' });
    var list = null;
    t.notes.forEach(function (note) {
      var parts = note.segments.map(function (s) { return s.code ? el('code', { text: s.text }) : s.text; });
      if (note.bullet) { if (!list) { list = el('ul'); append(notes, list); } append(list, el('li', null, parts)); }
      else { list = null; append(notes, el('p', null, parts)); }
    });
    var run = M.run;
    var counts = run.counts || {};
    var problems = Object.keys(M.problems).reduce(function (a, k) { return a + M.problems[k]; }, 0);
    return [
      el('h1', { text: 'Results: ' + run.name }),
      el('p', { class: 'muted' }, (run.status || '') + ' · ' + M.tasks.count + ' tasks · ' + M.systems.length + ' systems · started ' + (run.started || '?') +
        (run.finished ? ' · finished ' + run.finished : '') + (run.git_commit ? ' · commit ' + run.git_commit : '')),
      run.status && run.status !== 'complete' ? el('p', { class: 'banner', text: 'This run is ' + run.status + ': the table covers what was stored.' }) : null,
      problems ? el('p', { class: 'banner' }, el('a', { href: '#/problems', text: problems + ' problem(s)' }),
        ' recorded: ' + Object.keys(M.problems).map(function (k) { return M.problems[k] + ' ' + k; }).join(', ')) : null,
      el('p', { class: 'muted', text: 'Click a value for the per-item distribution of that system and metric, best and worst items first. Counts: ' +
        Object.keys(counts).map(function (k) { return k + ' ' + counts[k]; }).join(', ') + '.' }),
      table,
      notes,
      el('p', { class: 'muted' }, M.tasks.with_texts + ' of ' + M.tasks.count + ' tasks shown with their texts (' + M.tasks.note + '). ',
        el('a', { href: '#/tasks', text: 'All tasks' }), M.diff ? [' · ', el('a', { href: '#/diff', text: 'Diff against ' + M.diff.other })] : null)
    ];
  }

  function distMetric() {
    var first = shownMetrics().filter(function (m) { return m.higher_is_better !== null; })[0] || shownMetrics()[0];
    return first ? first.name : '';
  }

  function histogram(values, m, range, onPick) {
    var width = 520, height = 110, bins = 24;
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    if (!(hi > lo)) { hi = lo + 1e-9; }
    var counts = new Array(bins).fill(0);
    values.forEach(function (v) { counts[Math.min(bins - 1, Math.floor((v - lo) / (hi - lo) * bins))] += 1; });
    var top = Math.max.apply(null, counts) || 1;
    var chart = svg('svg', { class: 'hist', width: width, height: height + 16, viewBox: '0 0 ' + width + ' ' + (height + 16), role: 'img' });
    counts.forEach(function (c, i) {
      var x = i * width / bins, w = width / bins - 1, h = c / top * height;
      var from = lo + (hi - lo) * i / bins, to = lo + (hi - lo) * (i + 1) / bins;
      var bar = svg('rect', { class: 'bar', x: x, y: height - h, width: w, height: Math.max(h, c ? 1 : 0) });
      var title = svg('title', {});
      title.textContent = fmt(from, m) + ' – ' + fmt(to, m) + ': ' + c + ' item(s); click to keep this range';
      bar.appendChild(title);
      bar.addEventListener('click', function () { onPick(from, to); });
      chart.appendChild(bar);
    });
    [[0, lo, 'start'], [width, hi, 'end']].forEach(function (a) {
      var label = svg('text', { x: a[0], y: height + 13, 'text-anchor': a[2] });
      label.textContent = fmt(a[1], m);
      chart.appendChild(label);
    });
    return chart;
  }

  function pageDist(route) {
    var system = route.parts[1], name = route.parts[2];
    var m = metric(name);
    var box = el('div', null, el('p', { class: 'loading', text: 'Loading ' + m.label + '…' }));
    Promise.all([taskIndex(), metricValues(name)]).then(function (data) {
      renderDist(box, route, data[0], data[1], system, m);
    }).catch(function (e) { clear(box); append(box, el('p', { class: 'error', text: String(e.message || e) })); });
    return box;
  }

  function orderLabel(m, order) {
    var high = m.higher_is_better === false ? 'lowest' : 'highest';
    var low = m.higher_is_better === false ? 'highest' : 'lowest';
    return order === 'worst' ? 'worst first (' + low + ')' : order === 'task' ? 'task order' : 'best first (' + high + ')';
  }

  function renderDist(box, route, index, data, system, m) {
    var q = route.query;
    var values = data.values[system] || [];
    var rows = [];
    values.forEach(function (v, i) { if (v !== null) rows.push(i); });
    var all = rows.map(function (i) { return values[i]; });
    var minV = q.min !== undefined && q.min !== '' ? Number(q.min) / m.scale : null;
    var maxV = q.max !== undefined && q.max !== '' ? Number(q.max) / m.scale : null;
    var needle = (q.q || '').toLowerCase();
    var shown = rows.filter(function (i) {
      var v = values[i];
      if (minV !== null && v < minV - 1e-12) return false;
      if (maxV !== null && v > maxV + 1e-12) return false;
      if (needle && index.ids[i].toLowerCase().indexOf(needle) < 0 && (index.titles[i] || '').toLowerCase().indexOf(needle) < 0) return false;
      return true;
    });
    var order = q.order || 'best';
    var sign = m.higher_is_better === false ? 1 : -1;
    if (order === 'worst') sign = -sign;
    if (order !== 'task') shown.sort(function (a, b) { return sign * (values[a] - values[b]) || a - b; });
    var sorted = all.slice().sort(function (a, b) { return a - b; });
    var mean = all.reduce(function (a, b) { return a + b; }, 0) / (all.length || 1);
    var median = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
    var size = 100, page = Math.max(0, Number(q.page || 0));
    var others = Object.keys(data.values).filter(function (s) { return s !== system; });
    context = { label: m.label + ' of ' + system, items: shown.map(function (i) { return [index.ids[i], system]; }) };

    var systemSelect = el('select', { 'aria-label': 'system', onchange: function () { go(link(['dist', systemSelect.value, m.name], q)); } });
    systemNames().forEach(function (s) { append(systemSelect, el('option', { value: s, text: s, selected: s === system })); });
    var metricSelect = el('select', { 'aria-label': 'metric', onchange: function () { go(link(['dist', system, metricSelect.value], { order: q.order })); } });
    M.metrics.forEach(function (x) { append(metricSelect, el('option', { value: x.name, text: x.label + (x.shown ? '' : ' (not in table)'), selected: x.name === m.name })); });
    var orderSelect = el('select', { 'aria-label': 'order', onchange: function () { go(link(route.parts, Object.assign({}, q, { order: orderSelect.value, page: '' }))); } });
    ['best', 'worst', 'task'].forEach(function (o) { append(orderSelect, el('option', { value: o, text: orderLabel(m, o), selected: o === order })); });
    var search = el('input', { type: 'text', placeholder: 'task id or title', value: q.q || '', 'aria-label': 'task filter' });
    var minBox = el('input', { type: 'number', step: 'any', value: q.min || '', placeholder: 'min', 'aria-label': 'minimum' });
    var maxBox = el('input', { type: 'number', step: 'any', value: q.max || '', placeholder: 'max', 'aria-label': 'maximum' });
    function apply() { go(link(route.parts, Object.assign({}, q, { q: search.value, min: minBox.value, max: maxBox.value, page: '' }))); }
    [search, minBox, maxBox].forEach(function (input) { input.addEventListener('change', apply); });
    keys.focus = search;

    clear(box);
    append(box, crumbs({ text: 'Table', href: '#/' }, { text: system }, { text: m.label }));
    append(box, el('h1', { text: m.label + ' per item: ' + system + (isBound(system) ? ' (upper bound)' : '') }));
    append(box, el('div', { class: 'controls' },
      el('label', null, 'System ', systemSelect), el('label', null, 'Metric ', metricSelect), el('label', null, 'Order ', orderSelect),
      el('label', null, 'Task ', search), el('label', null, 'Range ', minBox, ' – ', maxBox),
      el('button', { text: 'Clear filters', onclick: function () { go(link(route.parts, { order: q.order })); } })));
    append(box, el('div', { class: 'stats' },
      el('span', null, 'n ', el('b', { text: all.length })), el('span', null, 'mean ', el('b', { text: fmt(mean, m) })),
      el('span', null, 'median ', el('b', { text: fmt(median, m) })), el('span', null, 'min ', el('b', { text: fmt(sorted[0], m) })),
      el('span', null, 'max ', el('b', { text: fmt(sorted[sorted.length - 1], m) })),
      el('span', null, 'shown ', el('b', { text: shown.length }))));
    if (all.length) {
      append(box, histogram(all, m, null, function (from, to) {
        go(link(route.parts, Object.assign({}, q, { min: (from * m.scale).toPrecision(6), max: (to * m.scale).toPrecision(6), page: '' })));
      }));
    }
    var table = el('table');
    append(table, el('thead', null, el('tr', null, el('th', { class: 'num', text: '#' }), el('th', { text: 'task' }), el('th', { text: 'title' }),
      el('th', { class: 'num', text: m.label }), others.length ? el('th', { class: 'num', text: 'others (mean)', title: 'mean of the other systems on the same task' }) : null)));
    var body = el('tbody');
    var start = page * size;
    var selected = 0;
    var trs = [];
    shown.slice(start, start + size).forEach(function (i, k) {
      var otherVals = others.map(function (s) { return data.values[s][i]; }).filter(function (v) { return v !== null && v !== undefined; });
      var otherMean = otherVals.length ? otherVals.reduce(function (a, b) { return a + b; }, 0) / otherVals.length : null;
      var href = itemHref(index.ids[i], system);
      var tr = el('tr', { class: 'pick', onclick: function () { go(href); } },
        el('td', { class: 'num', text: start + k + 1 }), el('td', null, el('a', { href: href, text: index.ids[i] })),
        el('td', { class: 'muted', text: index.titles[i] || '' }), el('td', { class: 'num', text: fmt(values[i], m) }),
        others.length ? el('td', { class: 'num muted', text: fmt(otherMean, m) }) : null);
      trs.push([tr, href]);
      append(body, tr);
    });
    append(table, body);
    function select(k) {
      if (!trs.length) return;
      selected = Math.max(0, Math.min(trs.length - 1, k));
      trs.forEach(function (p, n) { p[0].classList.toggle('sel', n === selected); });
      trs[selected][0].scrollIntoView({ block: 'nearest' });
      keys.open = trs[selected][1];
    }
    keys.list = true;
    keys.next = function () { select(selected + 1); };
    keys.prev = function () { select(selected - 1); };
    select(0);
    function toPage(p) { go(link(route.parts, Object.assign({}, q, { page: p || '' }))); }
    append(box, pager(shown.length, page, size, toPage));
    append(box, shown.length ? table : el('p', { class: 'empty', text: 'No item matches the filters.' }));
  }

  function scoreTable(task, item) {
    var grid = el('div', { class: 'scoregrid' });
    M.metrics.forEach(function (m) {
      if (!Object.prototype.hasOwnProperty.call(item.scores, m.name)) return;
      append(grid, el('a', { href: link(['dist', item.system, m.name]), title: 'per-item ' + m.label + ' of ' + item.system + (m.scorer ? ' (' + m.scorer + ')' : '') },
        el('span', { class: 'muted', text: m.label + ' ' }), el('b', { class: 'num', text: fmt(item.scores[m.name], m) })));
    });
    if (!grid.firstChild) append(grid, el('span', { class: 'empty', text: 'not scored' }));
    return grid;
  }

  var META_FIRST = ['latency_s', 'prompt_tokens', 'completion_tokens', 'finish_reason', 'attempts', 'words', 'over_budget', 'truncated'];
  function metaTable(sample) {
    var meta = sample.meta || {};
    var table = el('table', { class: 'kv' });
    var keysShown = META_FIRST.filter(function (k) { return k in meta; }).concat(Object.keys(meta).filter(function (k) { return META_FIRST.indexOf(k) < 0; }));
    append(table, el('tr', null, el('td', { text: 'cached' }), el('td', { text: sample.cached ? 'yes (from the generation cache)' : 'no' })));
    if (sample.reference_id) append(table, el('tr', null, el('td', { text: 'left-out reference' }), el('td', { text: sample.reference_id })));
    keysShown.forEach(function (k) {
      var v = meta[k];
      append(table, el('tr', null, el('td', { text: k }), el('td', { class: 'mono', text: typeof v === 'object' ? JSON.stringify(v) : String(v) })));
    });
    return table;
  }

  function factsSection(task, item, sample, box, root, filter) {
    var facts = ((item.evidence || {}).facts || []).filter(function (f) { return f.sample === sample.sample; });
    var texts = {};
    ((task.texts || {}).keyfacts || []).forEach(function (f) { texts[f.id] = f; });
    var present = facts.filter(function (f) { return f.present; }).length;
    var section = el('div');
    append(section, el('p', { class: 'muted', text: present + ' of ' + facts.length + ' key facts stated. Click a fact: the summary sentence that states it and the closest source sentences (word overlap) are highlighted.' }));
    var table = el('table', { class: 'fixed facts' });
    append(table, el('tr', null, ['key fact', 'weight', 'verdict', 'score', 'evidence (summary sentence)'].map(function (h, i) { return el('th', { class: i === 1 || i === 3 ? 'num' : null, text: h }); })));
    facts.filter(function (f) { return !filter || (filter === 'present') === f.present; }).forEach(function (f) {
      var fact = texts[f.fact_id];
      var tr = el('tr', { class: 'pick' }, el('td', { class: 'fact' }, el('div', { class: 'mono muted', text: f.fact_id }), fact ? fact.text : '(text not available)'),
        el('td', { class: 'num', text: f.weight === null ? '' : f.weight }), el('td', { title: 'decided by ' + f.matcher }, verdictTag(f.present ? 'present' : 'absent'), el('div', { class: 'muted small', text: f.matcher })),
        el('td', { class: 'num', text: f.score === null ? '' : f.score.toFixed(2) }), el('td', { class: 'ev', text: f.evidence }));
      tr.addEventListener('click', function () {
        root.querySelectorAll('tr.picked').forEach(function (n) { n.classList.remove('picked'); });
        tr.classList.add('picked');
        markEvidenceInSummary(box, f.evidence);
        highlight(root, fact ? closestSentences(task, fact.text, 3).map(function (x) { x.cls = 'hl-near'; return x; }) : []);
      });
      append(table, tr);
    });
    append(section, table);
    return section;
  }

  function claimsSection(task, item, sample, box, root, filter) {
    var claims = ((item.evidence || {}).claims || []).filter(function (c) { return c.sample === sample.sample; });
    var counts = {};
    claims.forEach(function (c) { counts[c.verdict] = (counts[c.verdict] || 0) + 1; });
    var section = el('div');
    append(section, el('p', { class: 'muted', text: Object.keys(counts).map(function (k) { return counts[k] + ' ' + k; }).join(', ') + '. Click a claim: its source evidence is highlighted.' }));
    var table = el('table', { class: 'fixed claims' });
    append(table, el('tr', null, ['#', 'claim', 'verdict', 'score', 'evidence', 'backend'].map(function (h) { return el('th', { text: h }); })));
    claims.filter(function (c) { return !filter || c.verdict === filter; }).forEach(function (c) {
      var mark = claimMark(task, c);
      var evidence = c.evidence || (mark ? sentenceText(task, mark.doc, mark.index) : '') || '';
      var extra = Object.keys(c.extra || {}).map(function (k) { return k + ': ' + c.extra[k]; }).join('; ');
      var tr = el('tr', { class: 'pick' }, el('td', { class: 'num', text: c.sentence === null ? '' : c.sentence }), el('td', { text: c.claim }),
        el('td', null, verdictTag(c.verdict || '?')), el('td', { class: 'num', text: c.score === null ? '' : c.score.toFixed(2) }),
        el('td', null, c.evidence_doc ? el('b', { text: c.evidence_doc + ' ' }) : null, evidence, extra ? el('div', { class: 'muted', text: extra }) : null),
        el('td', { class: 'muted', text: c.backend }));
      tr.addEventListener('click', function () {
        root.querySelectorAll('tr.picked').forEach(function (n) { n.classList.remove('picked'); });
        tr.classList.add('picked');
        box.querySelectorAll('.s').forEach(function (n) { n.classList.toggle('chosen', Number(n.getAttribute('data-i')) === c.sentence); });
        highlight(root, mark ? [mark] : []);
      });
      append(table, tr);
    });
    append(section, table);
    return section;
  }

  function genericSection(item, kind, sample) {
    var rows = ((item.evidence || {})[kind.name] || []).filter(function (r) { return !('sample' in r) || r.sample === sample.sample; });
    var columns = rows.length ? Object.keys(rows[0]) : [];
    var table = el('table', null, el('tr', null, columns.map(function (c) { return el('th', { text: c }); })));
    rows.forEach(function (r) {
      append(table, el('tr', null, columns.map(function (c) { return el('td', { text: typeof r[c] === 'object' ? JSON.stringify(r[c]) : r[c] }); })));
    });
    return table;
  }

  var SECTIONS = { facts: factsSection, claims: claimsSection };

  function evidenceSections(task, item, sample, box, root, route) {
    var out = [];
    M.evidence.forEach(function (kind) {
      var records = (item.evidence || {})[kind.name];
      if (!records || !records.length) return;
      var key = 'v_' + kind.name;
      var holder = el('div');
      var verdicts = [];
      records.forEach(function (r) {
        var v = kind.name === 'facts' ? (r.present ? 'present' : 'absent') : String(r[kind.verdict]);
        if (verdicts.indexOf(v) < 0) verdicts.push(v);
      });
      function draw(filter) {
        clear(holder);
        var make = SECTIONS[kind.name];
        append(holder, make ? make(task, item, sample, box, root, filter) : genericSection(item, kind, sample));
      }
      out.push(el('h3', { class: 'section' }, kind.title + ' ', verdictFilter(verdicts, route.query[key] || '', function (v) {
        var change = {}; change[key] = v; setQuery(route, change); draw(v);
      })));
      draw(route.query[key] || '');
      out.push(holder);
    });
    return out;
  }

  function pageItem(route) {
    var taskId = route.parts[1], system = route.parts[2];
    var box = el('div', null, el('p', { class: 'loading', text: 'Loading ' + taskId + '…' }));
    loadTask(taskId).then(function (task) { renderItem(box, route, task, system); })
      .catch(function (e) { clear(box); append(box, el('p', { class: 'error', text: String(e.message || e) })); });
    return box;
  }

  function renderItem(box, route, task, system) {
    var item = task.items.filter(function (i) { return i.system === system; })[0];
    var systems = task.items.map(function (i) { return i.system; });
    var at = systems.indexOf(system);
    keys.list = false;
    keys.left = at > 0 ? itemHref(task.id, systems[at - 1]) : null;
    keys.right = at >= 0 && at < systems.length - 1 ? itemHref(task.id, systems[at + 1]) : null;
    keys.next = neighbour(task.id, system, 1);
    keys.prev = neighbour(task.id, system, -1);
    clear(box);
    append(box, crumbs({ text: 'Table', href: '#/' }, context ? { text: context.label, href: link(['dist', system, distMetric()]) } : { text: system },
      { text: task.id, href: link(['task', task.id]) }, { text: system }));
    var title = (task.texts || {}).title;
    append(box, el('h1', { text: system + ' on ' + task.id + (title ? ': ' + title : '') }));
    append(box, el('div', { class: 'controls' },
      el('button', { text: '‹ previous item (k)', disabled: !keys.prev, onclick: function () { go(keys.prev); } }),
      el('button', { text: 'next item (j) ›', disabled: !keys.next, onclick: function () { go(keys.next); } }),
      el('span', { class: 'muted', text: context ? 'in: ' + context.label : 'open a distribution to walk its items' }),
      el('span', null, 'Systems: ', systems.map(function (s) {
        return [s === system ? el('b', { text: s }) : el('a', { href: itemHref(task.id, s), text: s }), ' '];
      })),
      el('a', { href: link(['task', task.id]), text: 'all summaries of this task side by side' })));
    var root = el('div', { class: 'cols' });
    var left = el('div');
    append(root, left);
    append(root, sourcesPanel(task));
    append(box, root);
    if (!item) { append(left, el('p', { class: 'empty', text: system + ' has no row for this task.' })); return; }
    if (item.status === 'failed') {
      append(left, el('p', { class: 'banner bad' }, 'Generation failed' + (item.attempts ? ' after ' + item.attempts + ' attempt(s)' : '') + ': ', el('span', { class: 'mono', text: item.error })));
    } else if (item.status === 'absent') {
      append(left, el('p', { class: 'banner', text: 'No summary stored for this item.' }));
    }
    item.samples.forEach(function (sample) {
      var panel = el('div', { class: 'panel' });
      append(panel, el('h3', { text: 'Summary' + (sample.sample ? ' (sample ' + sample.sample + ')' : '') }));
      var summary = summaryBlock(task, item, sample, root);
      append(panel, summary);
      append(panel, el('p', { class: 'muted', text: 'Click a sentence: the source sentences the faithfulness verdicts cite (green supports, red contradicts), or else the closest by word overlap, are highlighted.' }));
      append(panel, evidenceSections(task, item, sample, summary, root, route));
      append(panel, el('details', null, el('summary', { text: 'Generation' }), metaTable(sample)));
      append(left, panel);
      var picked = pickedMarks(sample);
      if (picked.length) setTimeout(function () { highlight(root, picked); }, 0);
    });
    append(left, el('div', { class: 'panel' }, el('h3', { text: 'Scores' }), scoreTable(task, item)));
    var problems = task.problems.filter(function (p) { return p.system === system; });
    if (problems.length) append(left, el('div', { class: 'panel' }, el('h3', { text: 'Problems' }), problemTable(problems)));
    append(left, referencesPanel(task));
  }

  function referencesPanel(task) {
    var panel = el('details', { class: 'panel' }, el('summary', { text: 'References (' + ((task.texts || {}).references || []).length + ')' }));
    ((task.texts || {}).references || []).forEach(function (r) {
      append(panel, el('p', null, el('b', { text: r.id + (r.author ? ' (' + r.author + ')' : '') + ': ' }), r.text));
    });
    return panel;
  }

  function pageTask(route) {
    var taskId = route.parts[1];
    var box = el('div', null, el('p', { class: 'loading', text: 'Loading ' + taskId + '…' }));
    loadTask(taskId).then(function (task) { renderTask(box, route, task); })
      .catch(function (e) { clear(box); append(box, el('p', { class: 'error', text: String(e.message || e) })); });
    return box;
  }

  function renderTask(box, route, task) {
    var all = task.items.map(function (i) { return i.system; });
    var hidden = (route.query.hide || '').split(',').filter(Boolean);
    var root = el('div', { class: 'cols' });
    var left = el('div');
    keys.list = false;
    clear(box);
    append(box, crumbs({ text: 'Table', href: '#/' }, { text: 'Tasks', href: '#/tasks' }, { text: task.id }));
    append(box, el('h1', { text: task.id + ((task.texts || {}).title ? ': ' + task.texts.title : '') }));
    if (task.texts) append(box, el('p', { class: 'muted', text: 'Instructions: ' + task.texts.instructions + ' · budget ' + task.texts.budget + ' words · ' + task.texts.language }));
    var chips = el('div', { class: 'controls chips' }, el('span', { class: 'muted', text: 'Systems: ' }));
    all.forEach(function (s) {
      var box2 = el('input', { type: 'checkbox', checked: hidden.indexOf(s) < 0, 'aria-label': 'show ' + s });
      box2.addEventListener('change', function () {
        var now = all.filter(function (x) { return x === s ? !box2.checked : hidden.indexOf(x) >= 0; });
        go(link(route.parts, Object.assign({}, route.query, { hide: now.join(',') })));
      });
      append(chips, el('label', null, box2, ' ' + s));
    });
    append(box, chips);
    append(root, left);
    append(root, sourcesPanel(task));
    append(box, root);
    var cards = el('div', { class: 'cards' });
    task.items.filter(function (i) { return hidden.indexOf(i.system) < 0; }).forEach(function (item) {
      append(cards, summaryCard(task, item, root));
    });
    append(left, el('h2', { text: 'Summaries' }), el('p', { class: 'muted', text: 'Click a summary sentence: the source sentences its faithfulness verdicts cite, or else the closest by word overlap, are highlighted.' }), cards);
    append(left, el('h2', { text: 'Key facts' }), keyFactsPanel(task, root, all.filter(function (s) { return hidden.indexOf(s) < 0; })), referencesPanel(task));
    if (task.problems.length) append(left, el('h2', { text: 'Problems' }), problemTable(task.problems));
  }

  function summaryCard(task, item, root) {
    var card = el('div', { class: 'card' + (item.status === 'failed' ? ' failed' : '') });
    append(card, el('h3', null, el('a', { href: itemHref(task.id, item.system), text: item.system }),
      isBound(item.system) ? el('span', { class: 'muted', text: 'upper bound' }) : null));
    append(card, el('div', { class: 'scores' }, shownMetrics().filter(function (m) { return m.name in item.scores; }).map(function (m) {
      return [el('span', { class: 'pair' }, el('a', { href: link(['dist', item.system, m.name]), text: m.label }), ' ' + fmt(item.scores[m.name], m)), ' '];
    })));
    if (item.status === 'failed') append(card, el('p', { class: 'mono', text: 'failed: ' + item.error }));
    item.samples.forEach(function (sample) {
      if (item.samples.length > 1) append(card, el('div', { class: 'muted', text: 'sample ' + sample.sample }));
      var block = summaryBlock(task, item, sample, root);
      block.setAttribute('data-system', item.system);
      block.setAttribute('data-sample', sample.sample);
      append(card, block);
    });
    return card;
  }

  function keyFactsPanel(task, root, systems) {
    var facts = (task.texts || {}).keyfacts || [];
    var panel = el('div', { class: 'panel' }, el('h3', { text: facts.length + ' key facts, and which summaries state them' }));
    if (!facts.length) { append(panel, el('p', { class: 'empty', text: 'No key facts for this task.' })); return panel; }
    var verdicts = {};
    task.items.forEach(function (item) {
      ((item.evidence || {}).facts || []).forEach(function (f) {
        var key = item.system + '\u0000' + f.fact_id;
        (verdicts[key] = verdicts[key] || []).push(f);
      });
    });
    var table = el('table');
    append(table, el('tr', null, el('th', { text: 'fact' }), el('th', { class: 'num', text: 'weight' }), systems.map(function (s) { return el('th', { text: s }); })));
    facts.forEach(function (fact) {
      var tr = el('tr', { class: 'pick', title: 'support: ' + (fact.support || []).join(', ') }, el('td', null, el('span', { class: 'mono muted', text: fact.id + ' ' }), fact.text),
        el('td', { class: 'num', text: fact.weight }), systems.map(function (s) {
          var found = verdicts[s + '\u0000' + fact.id] || [];
          var yes = found.filter(function (f) { return f.present; }).length;
          return el('td', { class: 'num' }, found.length ? verdictTag(found.length > 1 ? yes + '/' + found.length : yes ? '✓' : '✗') : '–');
        }));
      tr.className = 'pick';
      tr.querySelectorAll('.verdict').forEach(function (node) {
        node.className = verdictClass(node.textContent === '✗' || node.textContent.indexOf('0/') === 0 ? 'absent' : 'present');
      });
      tr.addEventListener('click', function () {
        root.parentNode.querySelectorAll('tr.picked').forEach(function (n) { n.classList.remove('picked'); });
        tr.classList.add('picked');
        root.querySelectorAll('.summary').forEach(function (block) {
          var found = (verdicts[block.getAttribute('data-system') + '\u0000' + fact.id] || []).filter(function (f) {
            return f.sample === block.getAttribute('data-sample') && f.present;
          })[0];
          markEvidenceInSummary(block, found ? found.evidence : null);
        });
        highlight(root, closestSentences(task, fact.text, 3).map(function (x) { x.cls = 'hl-near'; return x; }));
      });
      append(table, tr);
    });
    append(panel, el('p', { class: 'muted', text: 'Click a fact: each summary\'s sentence that states it and the closest source sentences (word overlap) are highlighted.' }));
    append(panel, table);
    return panel;
  }

  function pageTasks(route) {
    var box = el('div', null, el('p', { class: 'loading', text: 'Loading the tasks…' }));
    taskIndex().then(function (index) {
      var q = route.query, needle = (q.q || '').toLowerCase();
      var rows = [];
      index.ids.forEach(function (id, i) {
        if (!needle || id.toLowerCase().indexOf(needle) >= 0 || (index.titles[i] || '').toLowerCase().indexOf(needle) >= 0) rows.push(i);
      });
      var changed = new Set(index.changed || []);
      var page = Math.max(0, Number(q.page || 0)), size = 100;
      var search = el('input', { type: 'text', value: q.q || '', placeholder: 'task id or title', 'aria-label': 'task filter' });
      search.addEventListener('change', function () { go(link(['tasks'], { q: search.value })); });
      keys.focus = search;
      keys.list = false;
      clear(box);
      append(box, el('h1', { text: 'Tasks (' + index.ids.length + ')' }));
      append(box, el('div', { class: 'controls' }, el('label', null, 'Task ', search)));
      append(box, pager(rows.length, page, size, function (p) { go(link(['tasks'], { q: q.q, page: p || '' })); }));
      var table = el('table', null, el('tr', null, el('th', { class: 'num', text: '#' }), el('th', { text: 'task' }), el('th', { text: 'title' }), el('th', { text: '' })));
      rows.slice(page * size, page * size + size).forEach(function (i) {
        append(table, el('tr', null, el('td', { class: 'num', text: i + 1 }), el('td', null, el('a', { href: link(['task', index.ids[i]]), text: index.ids[i] })),
          el('td', { text: index.titles[i] || '' }), el('td', { class: 'error', text: changed.has(i) ? 'changed since the run' : '' })));
      });
      append(box, table);
    }).catch(function (e) { clear(box); append(box, el('p', { class: 'error', text: String(e.message || e) })); });
    return box;
  }

  function problemTable(problems) {
    var table = el('table', null, el('tr', null, ['kind', 'task', 'system', 'scorer', 'message', 'attempts', 'time'].map(function (h) { return el('th', { text: h }); })));
    problems.forEach(function (p) {
      append(table, el('tr', null, el('td', null, verdictTag(p.kind || '?')),
        el('td', null, p.task_id ? el('a', { href: p.system ? itemHref(p.task_id, p.system) : link(['task', p.task_id]), text: p.task_id }) : ''),
        el('td', { text: p.system || '' }), el('td', { text: p.scorer || '' }), el('td', { class: 'mono', text: p.message || '' }),
        el('td', { class: 'num', text: p.attempts || '' }), el('td', { class: 'muted', text: p.time || '' })));
    });
    return table;
  }

  function pageProblems(route) {
    var box = el('div', null, el('p', { class: 'loading', text: 'Loading the problems…' }));
    load('problems').then(function (data) {
      var q = route.query;
      var total = Object.keys(M.problems).reduce(function (a, k) { return a + M.problems[k]; }, 0);
      var kind = el('select', { 'aria-label': 'kind' }, el('option', { value: '', text: 'every kind' }));
      Object.keys(M.problems).forEach(function (k) { append(kind, el('option', { value: k, text: k + ' (' + M.problems[k] + ')', selected: q.kind === k })); });
      var system = el('select', { 'aria-label': 'system' }, el('option', { value: '', text: 'every system' }));
      systemNames().forEach(function (s) { append(system, el('option', { value: s, text: s, selected: q.system === s })); });
      var search = el('input', { type: 'text', value: q.q || '', placeholder: 'task or message', 'aria-label': 'problem filter' });
      function apply() { go(link(['problems'], { kind: kind.value, system: system.value, q: search.value })); }
      [kind, system, search].forEach(function (c) { c.addEventListener('change', apply); });
      keys.focus = search;
      var needle = (q.q || '').toLowerCase();
      var rows = data.shown.filter(function (p) {
        return (!q.kind || p.kind === q.kind) && (!q.system || p.system === q.system) &&
          (!needle || String(p.task_id || '').toLowerCase().indexOf(needle) >= 0 || String(p.message || '').toLowerCase().indexOf(needle) >= 0);
      });
      clear(box);
      append(box, el('h1', { text: 'Problems (' + total + ')' }));
      append(box, el('p', { class: 'muted', text: 'Failed items (errors), items or scorers skipped with the reason, and warnings, as problems.jsonl records them' +
        (data.shown.length < total ? '; the first ' + data.shown.length + ' are listed here, problems.jsonl holds them all.' : '.') }));
      append(box, el('div', { class: 'controls' }, el('label', null, 'Kind ', kind), el('label', null, 'System ', system), el('label', null, 'Search ', search)));
      append(box, rows.length ? problemTable(rows.slice(0, 2000)) : el('p', { class: 'empty', text: total ? 'No problem matches the filters.' : 'No problems: every item was generated and scored.' }));
    }).catch(function (e) { clear(box); append(box, el('p', { class: 'error', text: String(e.message || e) })); });
    return box;
  }

  function pageDiff(route) {
    var box = el('div', null, el('p', { class: 'loading', text: 'Loading the diff…' }));
    if (!M.diff) { clear(box); append(box, el('p', { class: 'empty', text: 'This site was built from one run; `sumbench view RUN RUN2` adds a diff.' })); return box; }
    load('diff').then(function (diff) { renderDiff(box, route, diff); })
      .catch(function (e) { clear(box); append(box, el('p', { class: 'error', text: String(e.message || e) })); });
    return box;
  }

  function renderDiff(box, route, diff) {
    var q = route.query;
    var chosen = q.system && q.metric ? q.system + '\u0000' + q.metric : null;
    keys.list = false;
    clear(box);
    append(box, el('h1', { text: 'Diff: ' + diff.new + ' − ' + diff.old }));
    append(box, el('p', { class: 'muted' }, 'Per system and metric, the paired difference over the tasks both runs scored (as ', el('code', { text: 'sumbench compare' }),
      '): ', el('code', { text: diff.signature }), '. Click a row for the items whose scores changed most, side by side.'));
    var table = el('table', null, el('tr', null, ['system', 'metric', diff.old, diff.new, 'Δ', 'interval', 'p', 'n', 'note'].map(function (h, i) { return el('th', { class: i > 1 && i < 8 ? 'num' : null, text: h }); })));
    diff.differences.forEach(function (d) {
      var m = metric(d.metric);
      var shown = d.shown;  // the cells as `sumbench compare` prints them (its rounding, ±∞)
      var better = d.delta === null || m.higher_is_better === null ? '' : (d.delta > 0) === (m.higher_is_better !== false) ? 'delta-up' : 'delta-down';
      var significant = d.p_value !== null && d.p_value < 0.05;
      var tr = el('tr', { class: 'pick' + (chosen === d.system + '\u0000' + d.metric ? ' picked' : ''), onclick: function () { go(link(['diff'], { system: d.system, metric: d.metric })); } },
        el('td', { text: d.system }), el('td', { text: d.label }), el('td', { class: 'num', text: shown.old }), el('td', { class: 'num', text: shown.new }),
        el('td', { class: 'num ' + better }, significant ? el('b', { text: shown.delta }) : shown.delta),
        el('td', { class: 'num', text: shown.interval }),
        el('td', { class: 'num', text: shown.p }), el('td', { class: 'num', text: d.n }), el('td', { class: 'muted', text: d.note || '' }));
      append(table, tr);
    });
    append(box, table);
    if (!chosen) return;
    var m = metric(q.metric);
    var changed = ((diff.changed[q.system] || {})[q.metric]) || [];
    append(box, el('h2', { text: 'Items of ' + q.system + ' whose ' + m.label + ' changed most' }));
    if (!changed.length) append(box, el('p', { class: 'empty', text: 'No item changed.' }));
    changed.forEach(function (c) {
      var pair = diff.summaries[c.task + '\u0000' + q.system] || {};
      append(box, el('div', { class: 'panel' },
        el('h3', null, el('a', { href: itemHref(c.task, q.system), text: c.task }), ' ', el('span', { class: c.delta * (m.higher_is_better === false ? -1 : 1) > 0 ? 'delta-up' : 'delta-down', text: fmt(c.old, m) + ' → ' + fmt(c.new, m) + ' (' + fmtSigned(c.delta, m) + ')' })),
        el('div', { class: 'side' }, el('div', null, el('div', { class: 'muted', text: diff.old }), el('p', { text: pair.old === undefined ? '(none)' : pair.old })),
          el('div', null, el('div', { class: 'muted', text: diff.new }), el('p', { text: pair.new === undefined ? '(none)' : pair.new })))));
    });
  }

  function pageHelp() {
    return el('div', { class: 'help' }, el('h1', { text: 'Keyboard' }), el('table', { class: 'kv' },
      [['j / k', 'next / previous row or item (in the list you came from)'], ['Enter', 'open the selected row'], ['h / l', 'previous / next system on the same task'],
        ['t', 'the results table'], ['/', 'focus the filter'], ['?', 'this help']].map(function (r) { return el('tr', null, el('td', { class: 'mono', text: r[0] }), el('td', { text: r[1] })); })));
  }

  // ------------------------------------------------------------------ router
  function nav(active) {
    var node = clear(document.getElementById('nav'));
    var total = Object.keys(M.problems).reduce(function (a, k) { return a + M.problems[k]; }, 0);
    [['table', '#/', 'Table'], ['tasks', '#/tasks', 'Tasks'], ['problems', '#/problems', 'Problems'], M.diff ? ['diff', '#/diff', 'Diff'] : null].forEach(function (n) {
      if (!n) return;
      var a = el('a', { href: n[1], class: active === n[0] ? 'active' : null, text: n[2] });
      if (n[0] === 'problems' && total) append(a, el('span', { class: 'count', text: total }));
      append(node, a);
    });
  }

  function render() {
    var route = parseRoute();
    var page = route.parts[0] || 'table';
    keys.next = keys.prev = keys.left = keys.right = keys.focus = keys.open = null;
    keys.list = false;
    var views = { table: pageTable, dist: pageDist, item: pageItem, task: pageTask, tasks: pageTasks, problems: pageProblems, diff: pageDiff, help: pageHelp };
    var view = views[page] || pageTable;
    nav(page === 'dist' || page === 'item' ? 'table' : page === 'task' ? 'tasks' : page);
    clear(main);
    append(main, view(route));
    document.title = 'sumbench · ' + M.run.name + (page !== 'table' ? ' · ' + route.parts.join(' / ') : '');
    document.body.setAttribute('data-page', page);
    window.scrollTo(0, 0);
  }

  document.addEventListener('DOMContentLoaded', function () {
    main = document.getElementById('main');
    load('manifest').then(function (manifest) {
      M = manifest;
      M.metrics.forEach(function (m) { metricsByName[m.name] = m; });
      document.getElementById('run-name').textContent = M.run.name;
      window.addEventListener('hashchange', render);
      render();
      document.body.setAttribute('data-ready', '1');
      if (window.performance && performance.mark) performance.mark('sumbench-ready');
    }).catch(function (e) {
      clear(main);
      append(main, el('p', { class: 'error', text: 'Cannot load the results: ' + (e.message || e) + '. Open index.html from the folder sumbench view wrote.' }));
    });
  });
})();
