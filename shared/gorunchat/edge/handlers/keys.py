"""Handlers of the ``keys`` function (routes without a handler answer 501 until built)."""
