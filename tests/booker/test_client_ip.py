"""booker.http.client_ip: behind our proxy every visitor must not share the proxy's address,
and a client must not choose its own address by sending X-Forwarded-For."""

import pytest

from booker.http import client_ip


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip(request) == "10.0.0.1"


def test_behind_one_proxy_the_address_it_appended_is_the_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_ip(request) == "203.0.113.5"


def test_a_client_cannot_choose_its_address_by_sending_its_own_header(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the real peer after it.
    request = rf.get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5"
    )
    assert client_ip(request) == "203.0.113.5"


@pytest.mark.parametrize("header", ["", " , "])
def test_a_missing_forwarded_header_falls_back_to_the_peer(rf, settings, header):
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == "127.0.0.1"


def test_behind_a_cdn_and_a_proxy_the_second_from_the_right_is_the_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get(
        "/", REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 192.0.2.10",
    )
    assert client_ip(request) == "203.0.113.5"
