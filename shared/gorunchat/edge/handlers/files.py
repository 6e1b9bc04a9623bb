"""Handlers of the ``files`` function (routes without a handler answer 501 until built)."""
