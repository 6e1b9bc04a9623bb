"""GoRunChat: a self-hostable, multi-provider AI chat platform (LibreChat-compatible)."""

__version__ = "0.1.0"
