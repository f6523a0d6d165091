"""The multi-instance deployment: nginx in front of many servers, and the backing services."""
