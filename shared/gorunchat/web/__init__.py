"""The web shell: page shells, htmx fragments and static files served by the web function."""
