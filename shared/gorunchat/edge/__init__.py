"""Web glue shared by the Flask functions and the Starlette streaming service."""
