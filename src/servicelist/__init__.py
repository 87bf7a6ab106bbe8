"""servicelist: a standard service-list catalogue and interoperability API for municipalities."""

__version__ = "0.1.0"
