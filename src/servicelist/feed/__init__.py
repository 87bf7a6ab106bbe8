"""The change feed of a municipality's effective catalogue, with opaque cursors and retention."""
