"""Municipalities, their local catalogues, API keys, change history and release reviews."""
