"""CCE_ENDPOINT and SMN_ENDPOINT: the SDK sends the agency's access key, security token and request signatures to
them, so only ``https://`` is accepted, except ``http://`` to this machine (the local stand-in). Anything else is a
configuration error naming the variable, and nothing is called."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postcheck.config import ConfigurationError, load_settings
from tests.support import TOPIC, event

VARIABLES = ("CCE_ENDPOINT", "SMN_ENDPOINT")

UNSAFE = [
    "http://example.com",
    "http://cce.cn-north-4.myhuaweicloud.com",
    "http://10.0.0.1:8443",
    "http://192.168.0.1",
    "http://127.0.0.1.evil.com",  # a DNS name that starts like a loopback address
    "http://localhost.evil.com",
    "http://127.0.0.1@evil.com",  # user information: the host is evil.com
    "http://evil.com#@127.0.0.1",
    "http://evil.com/127.0.0.1",
    "HTTP://127.0.0.1",  # the scheme in capitals is refused rather than interpreted
    "HTTP://example.com",
    "Http://example.com",
    "HTTPS://cce.cn-north-4.myhuaweicloud.com",
    "http://[::ffff:127.0.0.1]",  # IPv4-mapped: not the IPv6 loopback
    "http://[::2]",
    "http://[::]",
    "http://0.0.0.0",
    "http://128.0.0.1",
    "http://2130706433",  # 127.0.0.1 as one number: not a dotted address
    "http://127.1",
    "http://0x7f.0.0.1",
    "http://0177.0.0.1",
    "http://127.0.0.1:0",
    "http://127.0.0.1:65536",
    "https://[not-an-address]",
    "ftp://127.0.0.1",
    "ws://127.0.0.1",
    "//127.0.0.1",
    "127.0.0.1:8080",
    "https://cce.cn-north-4.myhuaweicloud.com/v3",  # a base URL has no path
]
SAFE = [
    "https://cce.cn-north-4.myhuaweicloud.com",
    "https://cce.cn-north-4.myhuaweicloud.com/",
    "https://smn.ap-southeast-1.myhuaweicloud.com:443",
    "https://10.0.0.1:8443",  # a private endpoint over TLS
    "https://[2001:db8::1]:8443",
    "http://127.0.0.1:8443",
    "http://127.255.255.254",
    "http://localhost:8080",
    "http://LocalHost",
    "http://[::1]:8080",
]


class Context:
    def __init__(self, **env: str) -> None:
        self.env = {"SMN_TOPIC_URN": TOPIC, **env}

    def getUserData(self, name: str) -> str | None:
        return self.env.get(name)


@pytest.mark.parametrize("variable", VARIABLES)
@pytest.mark.parametrize("url", UNSAFE)
def test_an_unsafe_endpoint_is_a_configuration_error_naming_the_variable(variable, url):
    with pytest.raises(ConfigurationError) as raised:
        load_settings(Context(**{variable: url}))
    message = str(raised.value)
    assert message.startswith(f"{variable}: ")
    assert "https://" in message and "loopback" in message


@pytest.mark.parametrize("variable", VARIABLES)
@pytest.mark.parametrize("url", SAFE)
def test_https_anywhere_and_http_to_this_machine_are_accepted(variable, url):
    settings = load_settings(Context(**{variable: url}))
    assert getattr(settings, variable.lower()) == url.rstrip("/")


@given(st.ip_addresses(v=4))
def test_http_is_accepted_exactly_for_ipv4_loopback_addresses(address):
    url = f"http://{address}:8443"
    loopback = address in ipaddress.ip_network("127.0.0.0/8")
    if loopback:
        assert load_settings(Context(CCE_ENDPOINT=url)).cce_endpoint == url
    else:
        with pytest.raises(ConfigurationError):
            load_settings(Context(CCE_ENDPOINT=url))
    assert load_settings(Context(CCE_ENDPOINT=f"https://{address}:8443")).cce_endpoint == f"https://{address}:8443"


@given(st.ip_addresses(v=6))
def test_http_is_accepted_for_no_ipv6_address_but_the_loopback(address):
    url = f"http://[{address}]"
    if address == ipaddress.ip_address("::1"):
        assert load_settings(Context(SMN_ENDPOINT=url)).smn_endpoint == url
    else:
        with pytest.raises(ConfigurationError):
            load_settings(Context(SMN_ENDPOINT=url))


@pytest.mark.parametrize("variable", VARIABLES)
@pytest.mark.parametrize("url", [
    "http://example.com", "http://10.0.0.1:8443", "http://127.0.0.1.evil.com", "HTTP://127.0.0.1",
    "HTTP://cce.cn-north-4.myhuaweicloud.com", "http://[::ffff:127.0.0.1]", "http://127.0.0.1@evil.com",
])
def test_the_handler_rejects_an_unsafe_endpoint_without_any_request(standin, invoke, context, variable, url):
    context._user_data[variable] = url

    result = invoke(event("manual"))

    assert result["outcome"] == "rejected"
    assert result["error"]["code"] == "InvalidConfiguration"
    assert result["error"]["message"].startswith(f"{variable}: expected")
    assert standin.requests == []
    assert standin.published == []
