"""Handlers of the ``messages`` function (routes without a handler answer 501 until built)."""
