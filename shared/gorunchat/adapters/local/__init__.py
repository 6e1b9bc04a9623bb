"""Local stand-ins with cloud semantics: Redis server process, task dispatcher, blobs."""
