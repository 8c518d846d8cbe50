"""Reading pages back: alerts, field errors, visible text, as a person would see them."""
import html
import re
from html.parser import HTMLParser

PASSWORD = "correct-horse-1"


def csrf_token(page):
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def alerts(page):
    """The text of the flashed messages on a page."""
    found = re.findall(r'(?s)<div class="alert[^"]*"[^>]*>(.*?)</div>', page)
    return [" ".join(html.unescape(re.sub(r"(?s)<[^>]+>|&times;", " ", a)).split()) for a in found]


def field_errors(page):
    """The error messages shown under form fields."""
    found = re.findall(r'(?s)<(?:div|span|small)[^>]*class="[^"]*(?:invalid-feedback|help-block)[^"]*"[^>]*>(.*?)</(?:div|span|small)>', page)
    return [" ".join(html.unescape(re.sub(r"(?s)<[^>]+>", " ", e)).split()) for e in found if e.strip()]


class _Visible(HTMLParser):
    """Collects what is shown: skips scripts, styles and elements hidden with display:none."""

    HIDDEN = {"script", "style", "template", "noscript"}
    VOID = {"input", "br", "img", "meta", "link", "hr", "option"}

    def __init__(self):
        super().__init__()
        self.parts, self.stack, self.hidden_at = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)
            classes = (attrs.get("class") or "").split()
            hidden = (tag in self.HIDDEN or "display:none" in (attrs.get("style") or "").replace(" ", "")
                      or "d-none" in classes or "hide" in classes)
            if hidden and self.hidden_at is None:
                self.hidden_at = len(self.stack)
        if self.hidden_at is not None:
            return
        for name in ("placeholder", "title"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.VOID or tag not in self.stack:
            return
        while self.stack:
            if self.hidden_at is not None and len(self.stack) == self.hidden_at:
                self.hidden_at = None
            if self.stack.pop() == tag:
                break

    def handle_data(self, data):
        if self.hidden_at is None:
            self.parts.append(data)


def visible_text(page):
    """What a person reads on the page: text nodes, placeholders, titles, button captions."""
    parser = _Visible()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def english_words(page, data=()):
    """Latin words of three letters or more left on screen, but for data shown (usernames...)."""
    allowed = {"ID", "CSRF", "XF", "Excel", "PDF", "CSV", *data}
    words = re.findall(r"(?<![\w-])[A-Za-z][A-Za-z']{2,}(?![\w-])", visible_text(page))
    return sorted({w for w in words if w not in allowed})
