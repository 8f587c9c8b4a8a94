"""The client's address, as every throttle sees it (axes, password resets, verification)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from wagtail_learning.accounts.api import client_ip


def request_with(**meta):
    return RequestFactory().get("/", **meta)


def test_without_a_proxy_header_setting_it_is_remote_addr():
    assert client_ip(request_with(REMOTE_ADDR="192.0.2.5", HTTP_X_REAL_IP="203.0.113.9")) == (
        "192.0.2.5"
    )


@override_settings(LMS_CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_behind_the_proxy_it_is_the_header_the_proxy_sets():
    assert client_ip(request_with(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.9")) == (
        "203.0.113.9"
    )


@override_settings(LMS_CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR")
def test_a_forwarded_list_gives_the_entry_our_proxy_added():
    request = request_with(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")

    assert client_ip(request) == "203.0.113.9"


@pytest.mark.parametrize("value", ["", "not-an-address", "203.0.113.9; drop table"])
@override_settings(LMS_CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_anything_but_an_address_falls_back_to_remote_addr(value):
    assert client_ip(request_with(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP=value)) == "10.0.0.1"
