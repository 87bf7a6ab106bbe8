"""Open Referral HSDS 3.0 views of a municipality's catalogue, for the read API under /hsds.

The municipality is the organization, each offered effective service is a service, and the
standard lists (LGSL, LGIL, functions, navigation and the authored lists) are taxonomies whose
items are taxonomy terms. HSDS needs UUIDs: ``identifiers`` derives them with UUID version 5
from the URIs the RDF mapping gives the same things, so they are stable for a base URI.
"""
