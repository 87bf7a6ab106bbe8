"""The municipality fixtures (seeded councils, keys, ``new_municipality``) for these tests."""

from tests.municipalities.conftest import api, new_municipality, platform_token, seeded

__all__ = ["api", "new_municipality", "platform_token", "seeded"]
