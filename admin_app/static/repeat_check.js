/* 可能重复信访: on the petition form, before it is saved, ask the server for open petitions the new one may repeat
   (the same petitioner, or the same category in the same village) and show them with links.

   Include after the form:
     <script src="/static/repeat_check.js" data-url="/admin/flags/repeat-check/" data-exclude="(id when editing)"></script>
   It reads the fields #petitioner, #category, #town (type-ahead selects) and #village, and shows the notice in
   #repeat-notice, made above the form's buttons when the page has none. Text only (textContent), never HTML. */
(function () {
  'use strict';
  var script = document.currentScript;
  var url = script && script.getAttribute('data-url');
  if (!url) { return; }
  var exclude = script.getAttribute('data-exclude') || '';
  var FIELDS = ['petitioner', 'category', 'town', 'village'];
  var timer = null;
  var asked = null;

  function value(id) {
    var field = document.getElementById(id);
    return field && field.value ? String(field.value).trim() : '';
  }

  function notice() {
    var box = document.getElementById('repeat-notice');
    if (box) { return box; }
    var form = document.querySelector('form.admin-form') || document.querySelector('form');
    if (!form) { return null; }
    box = document.createElement('div');
    box.id = 'repeat-notice';
    box.className = 'alert alert-warning';
    box.setAttribute('role', 'status');
    box.style.display = 'none';
    var buttons = form.querySelector('.form-buttons') || form.querySelector('[type=submit]');
    var anchor = buttons && buttons.closest ? (buttons.closest('.form-group, .form-buttons') || buttons) : null;
    if (anchor && anchor.parentNode) { anchor.parentNode.insertBefore(box, anchor); } else { form.appendChild(box); }
    return box;
  }

  function show(data) {
    var box = notice();
    if (!box) { return; }
    while (box.firstChild) { box.removeChild(box.firstChild); }
    if (!data || !data.count) { box.style.display = 'none'; return; }
    var title = document.createElement('div');
    title.textContent = data.message;
    box.appendChild(title);
    var list = document.createElement('ul');
    list.className = 'mb-0';
    data.petitions.forEach(function (p) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = p.url;
      link.target = '_blank';
      link.rel = 'noopener';
      link.textContent = p.number;
      item.appendChild(link);
      item.appendChild(document.createTextNode(' ' + p.subject + '（' + p.status_label + '，' + p.received_at +
                                               '；' + p.why + '）'));
      list.appendChild(item);
    });
    box.appendChild(list);
    box.style.display = '';
  }

  function check() {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) { params.set(name, value(name)); });
    params.set('exclude', exclude);
    var query = params.toString();
    if (query === asked) { return; }
    asked = query;
    if (!value('petitioner') && !(value('village') && value('category'))) { show(null); return; }
    fetch(url + '?' + query, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (asked === query) { show(data); } })
      .catch(function () { /* the notice is a help, never an obstacle to saving */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 300);
  }

  var selector = FIELDS.map(function (name) { return '#' + name; }).join(', ');
  if (window.jQuery) {
    window.jQuery(document).on('change', selector, later);  // the type-ahead selects (select2) trigger jQuery events
  }
  document.addEventListener('change', function (event) {
    if (FIELDS.indexOf(event.target.id) >= 0) { later(); }
  });
  document.addEventListener('input', function (event) {
    if (event.target.id === 'village') { later(); }
  });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', later);
  } else {
    later();
  }
})();
