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


def log_out(client):
    """Log out as a person does: the layout's logout button (a POST with the page's token); nothing to do when
    no one is logged in (the page sends to the login page)."""
    page = client.get("/logout")
    if page.status_code != 200:
        return page
    return client.post("/logout", data={"csrf_token": csrf_token(page.get_data(as_text=True))})


def submission_token(page):
    """The one-time submission token of the first form on a page that has one (admin_app/once.py), or None."""
    match = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page)
    return match.group(1) if match else None


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


# -- what a page offers, by code: a button is found by the step or letter it leads to, never by its caption
# (the caption 受理 is also inside 不予受理). --------------------------------------------------------------

_STEP_URL = re.compile(r'(?:href|action)="/admin/petition/step/([a-z_]+)/\?')


def step_buttons(page):
    """The step codes the page offers as buttons: links and forms to /admin/petition/step/<code>/."""
    return set(_STEP_URL.findall(page))


def list_actions(page):
    """The names of the bulk actions in a list's action menu (modelActions.execute('<name>'))."""
    return set(re.findall(r"modelActions\.execute\('([a-z_]+)'\)", page))


def letters_offered(page):
    """The petition page's 文书 section: {kind: set of "preview", "issue", "print", "reissue"} read from its URLs."""
    section = page.split('id="letters"', 1)
    if len(section) < 2:
        return {}
    offered = {}
    for row in re.findall(r"(?s)<tr>(.*?)</tr>", html.unescape(section[1].split("</table>", 1)[0])):
        kind = re.search(r"/admin/petition/letter/preview/\?id=\d+&kind=([a-z_]+)", row)
        if not kind:
            continue
        ops = offered.setdefault(kind.group(1), set())
        ops.add("preview")
        if re.search(r'action="/admin/petition/letter/issue/\?id=\d+&kind=%s' % kind.group(1), row):
            ops.add("issue")
        if re.search(r'href="/admin/document/download/\?id=\d+&inline=1"', row):
            ops.add("print")
        if re.search(r'href="/admin/document/reissue/\?id=\d+"', row):
            ops.add("reissue")
    return offered


# -- many clerks at the same moment (each a client with its own session) ------------------------------------

def concurrent_clients(app, count, username="staff"):
    """`count` test clients, each logged in as the user with its own session (each request its own connection)."""
    clients = []
    for _ in range(count):
        other = app.test_client()
        page = other.get("/login").get_data(as_text=True)
        assert other.post("/login", data={"username": username, "password": PASSWORD,
                                          "csrf_token": csrf_token(page)}).status_code == 302
        clients.append(other)
    return clients


def at_once(clients, post):
    """post(client) in one thread per client, all released together; the responses (or exceptions)."""
    from tests.threads import in_threads

    return in_threads(len(clients), lambda i: post(clients[i]))
