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
