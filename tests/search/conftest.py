"""The seeded councils, API keys and ``new_municipality`` of the municipality tests."""

from tests.municipalities.conftest import (  # noqa: F401 - fixtures used by these tests
    api,
    new_municipality,
    platform_token,
    seeded,
)
