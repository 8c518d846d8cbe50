"""信访事项 screens: screens.py (petitions, petitioners, visit logs), listing.py (the fast list of a large
archive), steps.py (the workflow's step forms and bulk actions), letters.py (a petition's 文书), timeline.py,
imports.py (导入信访事项)."""
from .imports import PetitionImportView
from .screens import PetitionerView, PetitionView, VisitLogView

__all__ = ["PetitionImportView", "PetitionerView", "PetitionView", "VisitLogView"]
