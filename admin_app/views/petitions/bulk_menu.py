"""The petition list's bulk menu (批量操作) offers what the checked rows allow.

Each row's checkbox carries the actions the row allows now (data-steps: models.workflow.allowed_for over the
page's rows at once, no query per row); static/office.js greys a menu item that none of the checked rows
allows, with the reason as its title. The server stays the judge: a step's confirmation page names the rows it
will skip and why, and the step skips them (steps.py).
"""
from flask_babel import gettext

from models import workflow


class BulkMenuMixin:
    """For PetitionView: its list template, and the actions each row of the page allows."""

    list_template = "admin/petition_list.html"

    @staticmethod
    def row_steps(rows, actions):
        """{id: "accept reject print_letters"}: the listed actions each row allows now; an action that is not a
        step (打印文书: its page says which letters each petition has) every row."""
        names = [name for name, _label in actions]
        steps = [name for name in names if name in workflow.ALLOWED]
        others = [name for name in names if name not in workflow.ALLOWED]
        allowed = workflow.allowed_for(rows, steps)
        return {row.id: " ".join(allowed[row.id] + others) for row in rows}

    def render(self, template, **kwargs):
        if template == self.list_template and "data" in kwargs:
            kwargs["row_steps"] = self.row_steps(kwargs["data"], kwargs.get("actions") or ())
            kwargs["unavailable_title"] = gettext("None of the checked petitions can take this step now; the "
                                                  "petition's page says why.")
        return super().render(template, **kwargs)
