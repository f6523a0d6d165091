"""Command-line tools: generate the training data, start the services, replay sessions."""
