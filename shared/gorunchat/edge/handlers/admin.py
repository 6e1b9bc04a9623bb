"""Handlers of the ``admin`` function (routes without a handler answer 501 until built)."""

from gorunchat.edge.handlers import admin_audit, admin_users  # noqa: F401
