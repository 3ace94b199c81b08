// duban 督办 — 会议议定事项: the review table's row actions (删除, 合并到上一条), its unit
// chips (添加, 移除), the count of rows picked, rows added by hand from the speech's text (a
// selection, or a request that produced no directive), and the question before confirming. The table arrives through htmx, so every
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

  /** The text selected in the speech box (with its line), else anywhere on the page. */
  function selected() {
    var box = document.getElementById('speech');
    if (box && box.selectionEnd > box.selectionStart) {
      return {
        text: box.value.substring(box.selectionStart, box.selectionEnd),
        line: box.value.substring(0, box.selectionStart).split('\n').length
      };
    }
    return { text: window.getSelection ? String(window.getSelection()) : '', line: '' };
  }

  /** 补录: a row for `text` (line `line` if known) at the table's end, picked. */
  function addRow(text, line) {
    text = (text || '').trim();
    var button = document.getElementById('add-selection');
    var template = document.getElementById('row-template');
    var body = document.querySelector('#directives tbody');
    if (!text) { window.alert('请先在讲话稿中选中要添加的文字'); return; }
    if (!button || !template || !body) { return; }
    var seq = parseInt(button.getAttribute('data-next'), 10);
    button.setAttribute('data-next', String(seq + 1));
    var holder = document.createElement('tbody');
    holder.innerHTML = template.innerHTML.replace(/SEQ/g, String(seq));
    var row = holder.querySelector('tr');
    row.querySelector('textarea').value = text;
    row.querySelector('[data-line]').textContent = line || '';
    body.appendChild(row);
    row.querySelector('.add-unit').focus();
    count();
  }

  /** How many 重点工作 the picked rows make: one per lead unit (a row without one is named
   *  by the server when confirmed). */
  function toMake() {
    var n = 0;
    each(document.querySelectorAll('#directives tr[data-row]'), function (row) {
      var pick = row.querySelector('input[name=pick]');
      if (pick && pick.checked) {
        n += Math.max(1, unitsOf(row.querySelector('td[data-kind=lead]')).length);
      }
    });
    return n;
  }

  // 确认: asked first, with what it will make.
  document.addEventListener('htmx:confirm', function (e) {
    if (!e.target.matches || !e.target.matches('#confirm-form')) { return; }
    e.preventDefault();
    var n = toMake();
    if (n === 0) { window.alert('请先选中要生成的事项'); return; }
    if (window.confirm('将生成 ' + n + ' 项重点工作，确定？')) { e.detail.issueRequest(true); }
  });

  document.addEventListener('click', function (e) {
    var t = e.target;
    if (t.id === 'add-selection') {
      var sel = selected();
      addRow(sel.text, sel.line);
      return;
    }
    if (t.matches('#unclaimed [data-action=add-unclaimed]')) {
      addRow(t.getAttribute('data-text'), t.getAttribute('data-line'));
      t.closest('tr').classList.add('added');
      t.disabled = true;
      t.textContent = '已添加';
      return;
    }
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
