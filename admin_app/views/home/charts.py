"""Charts drawn on the server as inline SVG: no script, no font or library from elsewhere (closed networks).

Every label is escaped; numbers are drawn as integers. Each chart says what it shows in its <title>, and the
page puts its figures in a table beside it.
"""
from markupsafe import Markup, escape

NEW, CLOSED, REFUSED = "#4e79a7", "#59a14f", "#a0a0a0"  # 新增, 办结, 不予受理
FONT = 12
AXIS = "#888888"


def text_width(text, size=FONT):
    """About how wide a label is drawn: a Chinese character is square, a Latin one a little over half."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in str(text))


def shorten(text, width, size=FONT):
    """The label cut to fit `width`, with … when cut."""
    text = str(text)
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def nice_ceiling(value, steps=4):
    """The top of an axis with `steps` whole, round divisions (each 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a
    power of ten), the smallest not below value."""
    magnitude = 1
    while True:
        for unit in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            step = unit * magnitude
            if step == int(step) and step * steps >= value:
                return int(step) * steps
        magnitude *= 10


def _svg(width, height, title, parts):
    return Markup('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 %d %d" '
                  'width="100%%" style="max-width:%dpx" font-size="%d" font-family="sans-serif">'
                  '<title>%s</title>%s</svg>') % (width, height, width, FONT, title, Markup("".join(parts)))


def _legend(series, x, y):
    parts = []
    for name, color in series:
        parts.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>' % (x, y - 9, color))
        parts.append('<text x="%d" y="%d">%s</text>' % (x + 14, y, escape(name)))
        x += int(text_width(name)) + 34
    return parts


def bar_chart(rows, series, title, width=600, label_width=130):
    """Horizontal grouped bars: rows are (label, (value per series)), series are (name, colour)."""
    bar, gap = 12, 10
    group = bar * len(series) + gap
    top = 26
    height = top + max(len(rows), 1) * group + 8
    peak = max([v for _, values in rows for v in values] + [1])
    plot = width - label_width - 50
    parts = _legend(series, label_width, 14)
    parts.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/>' % (label_width, top - 4, label_width,
                                                                          height - 4, AXIS))
    for i, (label, values) in enumerate(rows):
        y = top + i * group
        parts.append('<g><title>%s</title>' % escape(label))
        parts.append('<text x="%d" y="%d" text-anchor="end">%s</text>'
                     % (label_width - 6, y + group // 2, escape(shorten(label, label_width - 10))))
        for j, (value, (_, color)) in enumerate(zip(values, series)):
            length = round(plot * value / peak)
            by = y + j * bar
            parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>'
                         % (label_width, by, length, bar - 2, color))
            if value:
                parts.append('<text x="%d" y="%d" font-size="10">%d</text>' % (label_width + length + 3, by + 9, value))
        parts.append('</g>')
    return _svg(width, height, escape(title), parts)


def trend_chart(labels, bars, line, title, width=720, height=260):
    """Twelve months (or any run): bars of one series and a line with points of another.

    bars and line are (name, colour, values), one value per label."""
    left, right, top, bottom = 36, 12, 28, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = nice_ceiling(max(list(bars[2]) + list(line[2]) + [1]))
    step = plot_w / max(len(labels), 1)

    def y_of(value):
        return top + plot_h - plot_h * value / peak

    parts = _legend([(bars[0], bars[1]), (line[0], line[1])], left, 14)
    for k in range(5):  # grid lines with their values
        value = peak * k / 4
        y = y_of(value)
        parts.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e5e5e5"/>' % (left, y, width - right, y))
        parts.append('<text x="%d" y="%.1f" text-anchor="end" font-size="10" fill="%s">%d</text>'
                     % (left - 4, y + 3, AXIS, round(value)))
    points = []
    for i, label in enumerate(labels):
        x = left + i * step
        value = bars[2][i]
        parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s %d</title></rect>'
                     % (x + step * 0.2, y_of(value), step * 0.6, plot_h * value / peak, bars[1], escape(label),
                        escape(bars[0]), value))
        parts.append('<text x="%.1f" y="%d" text-anchor="middle" font-size="10">%s</text>'
                     % (x + step / 2, height - bottom + 14, escape(label)))
        points.append((x + step / 2, y_of(line[2][i]), line[2][i], label))
    parts.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                 % (line[1], " ".join("%.1f,%.1f" % (x, y) for x, y, _, _ in points)))
    for x, y, value, label in points:
        parts.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s %s %d</title></circle>'
                     % (x, y, line[1], escape(label), escape(line[0]), value))
    parts.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/>'
                 % (left, top + plot_h, width - right, top + plot_h, AXIS))
    return _svg(width, height, escape(title), parts)
