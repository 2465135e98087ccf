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


@pytest.fixture(scope="module")
def dovecot():
    """A real IMAP server on loopback (tests/booker/imapbox.py), one per module."""
    from tests.booker.imapbox import Dovecot, dovecot_binary

    if dovecot_binary() is None:
        pytest.skip("dovecot is not installed (.ci/run installs dovecot-imapd)")
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def bounce_mailbox(dovecot, settings):
    """The bounce mailbox, empty, and the settings that make the worker read it."""
    dovecot.empty()
    for name, value in dovecot.settings().items():
        setattr(settings, name, value)
    return dovecot
