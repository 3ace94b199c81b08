// duban 督办 — 会议议定事项: the review table's row actions (删除, 合并到上一条), its unit
// chips (添加, 移除) and the count of rows picked. The table arrives through htmx, so every
// handler is delegated from the document; no inline script (CSP).
(function () {
  'use strict';

  function each(list, f) { Array.prototype.forEach.call(list, f); }

  /** The units of a cell, in order. */
  function unitsOf(cell) {
    return Array.prototype.map.call(cell.querySelectorAll('.chips input[type=hidden]'),
      function (i) { return i.value; });
  }

  function inDirectory(unit) {
    var list = document.getElementById('unit-directory');
    return !!list && Array.prototype.some.call(list.options, function (o) { return o.value === unit; });
  }

  /** Adds units (a list may be typed: 、，, ；) to a cell, each once; one not in the directory is
   *  kept but marked, and the server names it if confirmed. */
  function addUnits(cell, text) {
    text.split(/[、，,；;\s]+/).forEach(function (unit) {
      unit = unit.trim();
      if (!unit || unitsOf(cell).indexOf(unit) >= 0) { return; }
      var chip = document.createElement('span');
      chip.className = inDirectory(unit) ? 'chip' : 'chip unknown';
      if (!inDirectory(unit)) { chip.title = '不在单位名录中'; }
      chip.appendChild(document.createTextNode(unit));
      var input = document.createElement('input');
      input.type = 'hidden';
      input.name = cell.getAttribute('data-field');
      input.value = unit;
      chip.appendChild(input);
      var x = document.createElement('button');
      x.type = 'button';
      x.className = 'x';
      x.title = '移除';
      x.textContent = '×';
      chip.appendChild(x);
      cell.querySelector('.chips').appendChild(chip);
    });
  }

  function count() {
    var shown = document.getElementById('picked-count');
    if (shown) { shown.textContent = document.querySelectorAll('#directives input[name=pick]:checked').length; }
  }

  function previousRow(row) {
    var prev = row.previousElementSibling;
    while (prev && !prev.hasAttribute('data-row')) { prev = prev.previousElementSibling; }
    return prev;
  }

  /** 合并到上一条: texts joined with “；”, units united, the earlier deadline kept. */
  function merge(row) {
    var prev = previousRow(row);
    if (!prev) { window.alert('第一条之前没有可合并的事项'); return; }
    var a = prev.querySelector('textarea'), b = row.querySelector('textarea');
    var more = b.value.trim().replace(/[。；;]+$/, '');
    if (more) { a.value = a.value.trim().replace(/[。；;，,]+$/, '') + '；' + more; }
    ['lead', 'co'].forEach(function (kind) {
      var into = prev.querySelector('td[data-kind=' + kind + ']');
      var from = row.querySelector('td[data-kind=' + kind + ']');
      unitsOf(from).forEach(function (u) { addUnits(into, u); });
      each(from.querySelectorAll('.unmatched span:not(.none)'), function (n) { into.querySelector('.unmatched').appendChild(n); });
    });
    var da = prev.querySelector('input[type=date]'), db = row.querySelector('input[type=date]');
    var ta = prev.querySelector('input.deadline-text'), tb = row.querySelector('input.deadline-text');
    var na = prev.querySelector('.deadline-note'), nb = row.querySelector('.deadline-note');
    var take = db.value ? (!da.value || db.value < da.value) : (!da.value && !ta.value && tb.value);
    if (take) {
      da.value = db.value;
      ta.value = tb.value;
      na.textContent = nb.textContent;
      na.className = nb.className;
    }
    ['.cadence', '.target'].forEach(function (css) {
      var x = prev.querySelector(css), y = row.querySelector(css);
      var t = y.textContent.trim();
      if (t && x.textContent.indexOf(t) < 0) { x.textContent = x.textContent.trim() ? x.textContent.trim() + '；' + t : t; }
    });
    var pa = prev.querySelector('input[name=pick]'), pb = row.querySelector('input[name=pick]');
    pa.checked = pa.checked || pb.checked;
    var note = prev.querySelector('.merged');
    note.textContent += '+' + row.getAttribute('data-row') + row.querySelector('.merged').textContent;
    row.parentNode.removeChild(row);
    count();
  }

  document.addEventListener('click', function (e) {
    var t = e.target;
    if (t.matches('#directives .chip .x')) {
      var chip = t.closest('.chip');
      chip.parentNode.removeChild(chip);
    } else if (t.matches('#directives [data-action=drop]')) {
      var row = t.closest('tr[data-row]');
      row.parentNode.removeChild(row);
      count();
    } else if (t.matches('#directives [data-action=merge]')) {
      merge(t.closest('tr[data-row]'));
    }
  });

  document.addEventListener('change', function (e) {
    var t = e.target;
    if (t.id === 'pick-all') {
      each(document.querySelectorAll('#directives input[name=pick]'), function (c) { c.checked = t.checked; });
      count();
    } else if (t.matches('#directives input[name=pick]')) {
      count();
    } else if (t.matches('#directives .add-unit')) {
      addUnits(t.closest('td'), t.value);
      t.value = '';
    }
  });

  // A name picked from the directory's list is added at once; typed ones on Enter.
  document.addEventListener('input', function (e) {
    var t = e.target;
    if (t.matches('#directives .add-unit') && (!e.inputType || e.inputType === 'insertReplacementText') && inDirectory(t.value)) {
      addUnits(t.closest('td'), t.value);
      t.value = '';
    }
  });

  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (e.key === 'Enter' && t.matches('#directives .add-unit')) {
      e.preventDefault();
      addUnits(t.closest('td'), t.value);
      t.value = '';
    }
  });
})();
