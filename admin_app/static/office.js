/* Chinese for the date pickers Flask-Admin bundles (bootstrap-daterangepicker speaks English only).
   The plugin is wrapped when it is defined, so every picker Flask-Admin creates gets the Chinese labels;
   ranges read "2023-01-01 至 2023-01-31" (the server accepts that and " to "). */
(function ($) {
  if (!$) { return; }
  var zh = {
    applyLabel: '确定', cancelLabel: '取消', fromLabel: '从', toLabel: '到', weekLabel: '周',
    customRangeLabel: '自定义', firstDay: 1,
    daysOfWeek: ['日', '一', '二', '三', '四', '五', '六'],
    monthNames: ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月']
  };
  var wrapped;

  /* What a clerk types or pastes is theirs: the server reads every form of date (models/dates.py) and says so
     on the field when it cannot. The picker writes into the field only when a day is chosen in it, never while
     typing (it re-formatted half-typed text into 0002-01-01...) nor on closing (it wrote *now* over pasted text). */
  function keepTyped($el) {
    var picker = $el.data('daterangepicker');
    if (!picker || !$el.is('input')) { return; }
    $el.off('keyup.daterangepicker');
    var chosen = false;
    picker.container.on('mousedown.office', function () { chosen = true; });
    var hide = picker.hide;
    picker.hide = function () {
      if (!chosen && this.oldStartDate) {
        this.startDate = this.oldStartDate.clone();
        this.endDate = this.oldEndDate.clone();
      }
      chosen = false;
      return hide.apply(this, arguments);
    };
  }
  Object.defineProperty($.fn, 'daterangepicker', {
    configurable: true,
    get: function () { return wrapped; },
    set: function (plugin) {
      wrapped = function (options, callback) {
        options = $.extend({}, options);
        options.locale = $.extend({}, zh, options.locale);
        if (options.separator === ' to ') { options.separator = ' 至 '; }
        var result = plugin.call(this, options, callback);
        this.each(function () { keepTyped($(this)); });
        return result;
      };
    }
  });
})(window.jQuery);

/* Flask-Admin's form.js passes the literal text 'data-placeholder' to select2 for every type-ahead:
   use the element's own data-placeholder (输入文字查找) instead. */
(function ($) {
  if (!$ || !$.fn.select2) { return; }
  var select2 = $.fn.select2;
  $.fn.select2 = $.extend(function (options) {
    var args = Array.prototype.slice.call(arguments);
    if (options && options.placeholder === 'data-placeholder') {
      args[0] = $.extend({}, options, {placeholder: this.attr('data-placeholder') || ''});
    }
    return select2.apply(this, args);
  }, select2);
})(window.jQuery);

/* The petition list's bulk menu (templates/admin/petition_list.html): each row's checkbox says which actions
   the row allows now (data-steps, from the server); an item of the menu that none of the checked rows allows is
   greyed, its title saying why, and does nothing. With no row checked the menu is as Flask-Admin has it. The
   server still decides: the step's page names the rows it skips. */
(function ($) {
  if (!$) { return; }
  $(function () {
    var boxes = $('input.action-checkbox[data-steps]');
    var menu = $('#bulk-actions');
    if (!boxes.length || !menu.length) { return; }
    var items = menu.find('.dropdown-item[data-action]');
    var why = menu.attr('data-unavailable-title') || '';

    function refresh() {
      var checked = boxes.filter(':checked'), allowed = {};
      checked.each(function () {
        $.each(($(this).attr('data-steps') || '').split(/\s+/), function (_, step) { allowed[step] = true; });
      });
      items.each(function () {
        var item = $(this), off = checked.length > 0 && !allowed[item.attr('data-action')];
        item.toggleClass('step-unavailable', off).attr('aria-disabled', off ? 'true' : 'false');
        if (off) { item.attr('title', why); } else { item.removeAttr('title'); }
      });
    }

    boxes.on('change', refresh);
    $('.action-rowtoggle').on('change', function () { setTimeout(refresh, 0); });  // after Flask-Admin's own
    refresh();
    if (window.modelActions) {
      var execute = window.modelActions.execute;
      window.modelActions.execute = function (name) {
        if (items.filter('[data-action="' + name + '"]').attr('aria-disabled') === 'true') { return false; }
        return execute.apply(this, arguments);
      };
    }
  });
})(window.jQuery);

/* The home page's period chooser: only the fields of the chosen kind of period (data-kinds) are shown. The
   server renders them so (and shows all without script); it reads only those of the kind submitted. */
(function () {
  var kind = document.getElementById('period-kind');
  if (!kind) { return; }
  function show() {
    var fields = document.querySelectorAll('#period-form .period-field');
    for (var i = 0; i < fields.length; i++) {
      fields[i].hidden = (' ' + fields[i].getAttribute('data-kinds') + ' ').indexOf(' ' + kind.value + ' ') < 0;
    }
  }
  kind.addEventListener('change', show);
  show();
})();

/* 应用 on a filter keeps what is typed in the search box, searched or not yet: the filter form (Flask-Admin's
   #filter_form) carries the box's current value instead of the last searched one. */
(function () {
  var form = document.getElementById('filter_form');
  var box = document.querySelector('form[role=search] input[name=search]');
  if (!form || !box) { return; }
  form.addEventListener('submit', function () {
    var hidden = form.querySelector('input[type=hidden][name=search]');
    var text = box.value.trim();
    if (!text) {
      if (hidden) { hidden.parentNode.removeChild(hidden); }
      return;
    }
    if (!hidden) {
      hidden = document.createElement('input');
      hidden.type = 'hidden';
      hidden.name = 'search';
      form.appendChild(hidden);
    }
    hidden.value = text;
  });
})();

/* File inputs in Chinese: the browser's own button and "No file chosen" follow the browser's language, not the
   page's. The input stays in the form (hidden from sight, not from the form), a 选择文件 button opens it and the
   chosen names are shown beside it; without script the browser's own input is shown. */
(function () {
  var inputs = document.querySelectorAll('input[type=file]');
  for (var i = 0; i < inputs.length; i++) {
    (function (input) {
      var button = document.createElement('button');
      var names = document.createElement('span');
      button.type = 'button';
      button.className = 'btn btn-outline-secondary btn-sm file-choose';
      button.textContent = '选择文件';
      names.className = 'file-names text-muted ml-2';
      function show() {
        var files = input.files || [];
        var list = [];
        for (var n = 0; n < files.length; n++) { list.push(files[n].name); }
        names.textContent = list.length ? list.join('、') : '未选择文件';
      }
      button.addEventListener('click', function () { input.click(); });
      input.addEventListener('change', show);
      input.classList.add('file-hidden');
      input.tabIndex = -1;
      input.parentNode.insertBefore(button, input);
      input.parentNode.insertBefore(names, input.nextSibling);
      show();
    })(inputs[i]);
  }
})();

/* The browser's own "Please fill out this field" follows the browser's language: a required field left empty
   says it in Chinese (the server checks every field again and says why in Chinese). */
(function () {
  document.addEventListener('invalid', function (event) {
    var field = event.target;
    if (field.validity && field.validity.valueMissing) { field.setCustomValidity('请填写此项。'); }
  }, true);
  document.addEventListener('input', function (event) {
    if (event.target.setCustomValidity) { event.target.setCustomValidity(''); }
  }, true);
  document.addEventListener('change', function (event) {
    if (event.target.setCustomValidity) { event.target.setCustomValidity(''); }
  }, true);
})();
