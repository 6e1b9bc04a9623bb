"""One module per function group; each registers its handlers with ``@handles(route_id)``.

Handlers are thin: bind a DTO, call one service function, return a DTO.
"""
