"""Fixtures shared by the Booker's back-office tests."""

import pytest

from booker import roles
from tests.factories import user_with_role


@pytest.fixture
def photographer(db):
    return user_with_role(roles.PHOTOGRAPHER)


@pytest.fixture
def studio(client, photographer):
    """The test client, logged in as a photographer."""
    client.force_login(photographer)
    return client


@pytest.fixture
def retoucher(db):
    return user_with_role(roles.RETOUCHER)
