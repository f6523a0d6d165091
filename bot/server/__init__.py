"""Runs inside the Rasa server: its launcher, the checked REST channel and the tracker store.

Rasa imports these by the module paths named in `credentials.yml` and `endpoints.yml`.
`guard` is pure Python, so the client and the deploy front check turns with the same rules.
"""
