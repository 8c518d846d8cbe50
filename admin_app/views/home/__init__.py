"""The home page: page.py (today's work and 减存控增 for a period), charts.py (inline SVG), monthly_report.py (月报)."""
from .page import DashboardView

__all__ = ["DashboardView"]
