"""Runs inside the Rasa server: its launcher, the checked REST channel and the tracker store.

Rasa imports these by the module paths named in `credentials.yml` and `endpoints.yml`; the
launcher also makes Rasa's action calls ride out a restart (`action_endpoint`). `guard` is pure
Python, so the client and the balancer's config (`deploy.nginx`) use the channel's limits.
"""
