"""Open311 GeoReport v2: the service list and service definitions of each municipality."""
