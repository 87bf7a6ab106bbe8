"""The published catalogue: an immutable in-memory snapshot of the lists and its representations."""
