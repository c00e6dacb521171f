"""Analyst reports of the published warehouse: terminal, JSON and a self-contained HTML profile."""

from pipelines.report.profile import Filters, load_profile
from pipelines.report.scope import MODES, Scope, ScopeError, resolve_scope

__all__ = ["MODES", "Filters", "Scope", "ScopeError", "load_profile", "resolve_scope"]
