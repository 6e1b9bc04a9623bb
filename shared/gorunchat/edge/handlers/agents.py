"""Handlers of the ``agents`` function (routes without a handler answer 501 until built)."""
