"""Handlers of the ``tasks`` function (routes without a handler answer 501 until built)."""
