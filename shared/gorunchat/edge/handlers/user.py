"""Handlers of the ``user`` function (routes without a handler answer 501 until built)."""
