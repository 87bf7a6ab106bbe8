"""Ranked search over the standard services and each municipality's effective catalogue."""
