"""The standard lists: LGSL services, LGIL interactions, esd functions, LGNL navigation,
tiers and councils."""
