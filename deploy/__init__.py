"""The multi-instance deployment: one front address for many servers, and backing services."""
