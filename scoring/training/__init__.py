"""Training the coder and preparing its training data: never imported by the runtime coder.

``scoring.loader`` and what it loads (coder, head, encoder, rules) import nothing from here;
``make coder`` (``python -m scoring train``) runs this code, in its own process.
"""
