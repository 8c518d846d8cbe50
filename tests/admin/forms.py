"""Reading a form back as a browser would submit it: every field's name and value (inputs, checked boxes,
selected options, text areas), so a test can post a screen's own form, changed or not."""
from html.parser import HTMLParser

SKIPPED_TYPES = {"submit", "button", "reset", "image", "file"}


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.form, self.select, self.textarea, self.options = [], None, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = {"attrs": attrs, "fields": []}
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type", "text") not in SKIPPED_TYPES:
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.form["fields"].append((name, attrs.get("value") or "y"))
            else:
                self.form["fields"].append((name, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "chosen": [], "first": None}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["chosen"].append(value)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if self.form is None:
            return
        if tag == "textarea" and self.textarea is not None:
            self.form["fields"].append((self.textarea[0], self.textarea[1].lstrip("\n")))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"] or ([] if self.select["multiple"] or self.select["first"] is None
                                               else [self.select["first"]])
            self.form["fields"].extend((self.select["name"], value) for value in chosen)
            self.select = None
        elif tag == "form":
            self.form = None


def forms(page):
    """[{"attrs": {...}, "fields": [(name, value)]}] of every form of the page, in order."""
    reader = _FormReader()
    reader.feed(page)
    return reader.forms


def model_form(page):
    """The fields of the screen's record form (Flask-Admin's admin-form) as a dict of lists, for client.post."""
    for form in forms(page):
        if "admin-form" in (form["attrs"].get("class") or "") and any(n == "csrf_token" for n, _ in form["fields"]):
            data = {}
            for name, value in form["fields"]:
                data.setdefault(name, []).append(value)
            return data
    raise AssertionError("no record form on the page")
