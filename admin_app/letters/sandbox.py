"""The sandbox a letter's wording (the office's own text, 文书措辞) runs in.

A wording sees only its named fields, all plain strings: Jinja's ImmutableSandboxedEnvironment with no globals,
and, before anything runs, every node of the parsed source is checked against a short list (text, {{ 字段 }},
{% if %}, comparisons, `~`, a few filters): no loops, macros, calls, attribute or item access, include / import /
extends, set. So a wording reads no file or record, and its rendering takes time linear in its source; its output
is capped. Every refusal is a ValidationError naming the line ("第3行：未知的字段“信访人姓名”").
"""
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.filters import FILTERS
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.tests import TESTS

from models.errors import N_, ValidationError

# Characters a wording may add to its fields' values (some 30 pages): a long petition printed once always fits,
# a field repeated over and over does not.
MAX_OUTPUT = 20000
ALLOWED_FILTERS = ("trim", "default")
ALLOWED_TESTS = ("defined", "undefined", "eq", "ne", "in")
ALLOWED_NODES = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.If, nodes.Filter,
                 nodes.Test, nodes.Compare, nodes.Operand, nodes.Concat, nodes.CondExpr, nodes.And, nodes.Or,
                 nodes.Not)
# How a refused construct is named in the message (Jinja's own syntax, the same in every language).
SHOWN = {nodes.For: "{% for %}", nodes.Macro: "{% macro %}", nodes.CallBlock: "{% call %}", nodes.Call: "( )",
         nodes.Include: "{% include %}", nodes.Import: "{% import %}", nodes.FromImport: "{% from %}",
         nodes.Extends: "{% extends %}", nodes.Block: "{% block %}", nodes.Assign: "{% set %}",
         nodes.AssignBlock: "{% set %}", nodes.FilterBlock: "{% filter %}", nodes.With: "{% with %}",
         nodes.Getitem: "[ ]", nodes.Slice: "[ : ]", nodes.Mul: "*", nodes.Pow: "**", nodes.Add: "+",
         nodes.Sub: "-", nodes.Div: "/", nodes.FloorDiv: "//", nodes.Mod: "%", nodes.List: "[ ]",
         nodes.Dict: "{ }", nodes.Tuple: "( , )"}


def _environment():
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True,
                                       lstrip_blocks=True)
    env.globals.clear()  # no range(), lipsum(), namespace()...
    env.filters = {name: FILTERS[name] for name in ALLOWED_FILTERS}
    env.tests = {name: TESTS[name] for name in ALLOWED_TESTS}
    return env


ENV = _environment()


def _syntax_error(err):
    """A Jinja syntax error as a Chinese message with its line."""
    text = str(err.message or "")
    line = err.lineno or 1
    if "Unexpected end of template" in text or "looking for" in text:
        return ValidationError(N_("Line %(line)d: an {%% if %%} is not closed by {%% endif %%}."), field="source",
                               line=line)
    if "unknown tag" in text:
        tag = text.split("'")[1] if text.count("'") >= 2 else ""
        return ValidationError(N_("Line %(line)d: “{%% %(tag)s %%}” cannot be used in a letter's wording."),
                               field="source", line=line, tag=tag)
    return ValidationError(N_("Line %(line)d: this cannot be read; check that each {{ has its }} and each {%% its "
                              "%%}."), field="source", line=line)


def _check_nodes(tree, names):
    """Refuse (ValidationError with the line) any node outside ALLOWED_NODES, and any name not a field."""
    for node in tree.find_all(nodes.Node):
        line = getattr(node, "lineno", None) or 1
        if isinstance(node, nodes.Getattr):
            raise ValidationError(N_("Line %(line)d: a field has no parts to read (“.%(attr)s”); write the field "
                                     "alone, as {{ %(name)s }}."), field="source", line=line, attr=node.attr,
                                  name=getattr(node.node, "name", ""))
        if not isinstance(node, ALLOWED_NODES):
            raise ValidationError(N_("Line %(line)d: “%(what)s” cannot be used in a letter's wording: only text, "
                                     "fields and {%% if %%} can."), field="source", line=line,
                                  what=SHOWN.get(type(node), type(node).__name__))
        if isinstance(node, nodes.Name) and (node.ctx != "load" or node.name not in names):
            raise ValidationError(N_("Line %(line)d: unknown field “%(name)s”."), field="source", line=line,
                                  name=node.name)
        if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            raise ValidationError(N_("Line %(line)d: “%(what)s” cannot be used in a letter's wording: only text, "
                                     "fields and {%% if %%} can."), field="source", line=line, what="|" + node.name)
        if isinstance(node, nodes.Test) and node.name not in ALLOWED_TESTS:
            raise ValidationError(N_("Line %(line)d: “%(what)s” cannot be used in a letter's wording: only text, "
                                     "fields and {%% if %%} can."), field="source", line=line,
                                  what="is " + node.name)


def compile_wording(source, names):
    """The template of a wording whose fields are `names`; ValidationError (with the line) when it is refused.
    Compiled once a source (a letter rendered it twice and a batch of a hundred 200 times, 1-2 ms each); a refusal
    is not kept, it is decided again."""
    return _compiled(source, frozenset(names))


@lru_cache(maxsize=64)
def _compiled(source, names):
    try:
        tree = ENV.parse(source)
    except TemplateSyntaxError as err:
        raise _syntax_error(err) from None
    _check_nodes(tree, set(names))
    try:
        return ENV.from_string(tree)
    except TemplateSyntaxError as err:
        raise _syntax_error(err) from None


def _template_line(template, frame_line):
    try:
        return template.get_corresponding_lineno(frame_line)
    except Exception:  # noqa: BLE001 - a line is a courtesy; the refusal stands without it
        return 1


def render(source, values, limit=None):
    """The text of a wording with these field values ({name: str}); ValidationError (with the line) when it is
    refused or its text would be longer than `limit` characters (default: MAX_OUTPUT more than all the values)."""
    template = compile_wording(source, values)
    if limit is None:
        limit = MAX_OUTPUT + sum(len(str(v)) for v in values.values())
    generator = template.root_render_func(template.new_context({k: str(v) for k, v in values.items()}))
    out, length = [], 0
    try:
        for chunk in generator:
            length += len(chunk)
            if length > limit:
                line = _template_line(template, generator.gi_frame.f_lineno)
                generator.close()
                raise ValidationError(N_("Line %(line)d: the letter's text would be longer than %(limit)d "
                                         "characters."), field="source", line=line, limit=limit)
            out.append(chunk)
    except ValidationError:
        raise
    except Exception as err:  # noqa: BLE001 - e.g. comparing a text with a number
        tb, line = err.__traceback__, 1
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<template>":
                line = _template_line(template, tb.tb_lineno)
            tb = tb.tb_next
        raise ValidationError(N_("Line %(line)d: this cannot be worked out with the fields' values."),
                              field="source", line=line) from None
    return "".join(out)
