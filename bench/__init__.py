"""The benchmark of the citation engine: ``python -m bench`` (``make bench``); see README.md here.

It lives outside ``scripts/mdcite`` so that the engine's package holds only the engine.
"""
