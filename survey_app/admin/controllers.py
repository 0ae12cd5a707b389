"""The administration's routes (under ``/admin``): overview, accounts, settings, approvals."""

from __future__ import annotations

from survey_app.admin.accounts import AccountAdminController
from survey_app.admin.approvals import ApprovalsController
from survey_app.admin.overview import AdminOverviewController
from survey_app.admin.settings import SettingsController

ROUTES = [AdminOverviewController, AccountAdminController, SettingsController, ApprovalsController]
