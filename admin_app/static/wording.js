/* 文书措辞: the editor's live preview (the letter's text on the chosen petition, asked of the server a moment after
   each change) and the fields' buttons that put {{ 字段 }} where the cursor is. Text only (textContent). */
(function () {
  'use strict';
  var source = document.getElementById('source');
  var petition = document.getElementById('petition');
  var box = document.getElementById('wording-preview');
  var form = document.getElementById('wording-form');
  if (!source || !box || !form) { return; }
  var timer = null;
  var asked = 0;

  function add(tag, text, className, style) {
    var element = document.createElement(tag);
    element.textContent = text || '';
    if (className) { element.className = className; }
    if (style) { element.setAttribute('style', style); }
    box.appendChild(element);
    return element;
  }

  function show(data) {
    while (box.firstChild) { box.removeChild(box.firstChild); }
    if (data.error) { add('div', data.error, 'text-danger').id = 'wording-error'; return; }
    add('div', data.title, 'text-center font-weight-bold');
    add('div', data.number, 'text-center');
    add('div', data.addressee);
    data.paragraphs.forEach(function (p) { add('p', p, 'mb-1', 'text-indent: 2em;'); });
    add('div', data.organ, 'text-right');
    add('div', data.date, 'text-right');
  }

  function refresh() {
    var mine = ++asked;
    var body = new FormData();
    body.append('csrf_token', form.querySelector('[name=csrf_token]').value);
    body.append('source', source.value);
    body.append('petition', petition ? petition.value : '');
    box.setAttribute('aria-busy', 'true');
    fetch(box.getAttribute('data-url'), {method: 'POST', body: body, credentials: 'same-origin'})
      .then(function (response) { return response.json(); })
      .then(function (data) { if (mine === asked) { show(data); box.setAttribute('aria-busy', 'false'); } })
      .catch(function () { if (mine === asked) { box.setAttribute('aria-busy', 'false'); } });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 400);
  }

  source.addEventListener('input', later);
  if (petition) { petition.addEventListener('input', later); petition.addEventListener('change', later); }
  Array.prototype.forEach.call(document.querySelectorAll('.wording-field'), function (button) {
    button.addEventListener('click', function () {
      var text = '{{ ' + button.getAttribute('data-field') + ' }}';
      var start = source.selectionStart, end = source.selectionEnd;
      source.value = source.value.slice(0, start) + text + source.value.slice(end);
      source.focus();
      source.selectionStart = source.selectionEnd = start + text.length;
      later();
    });
  });
}());
