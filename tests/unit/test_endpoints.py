"""Which base URL CCE and SMN are called at (README, "Configuration"): ``CCE_ENDPOINT``/``SMN_ENDPOINT`` when set,
else the region's public endpoint. Pure: settings from a plain context, no stand-in, no request.

- Huawei Cloud's public endpoints are ``<service>.<region id>.myhuaweicloud.com``, called over HTTPS: "Endpoints
  vary depending on services and regions" (CCE API reference, "Before You Start", Endpoints:
  https://support.huaweicloud.com/intl/en-us/api-cce/cce_02_0001.html; the list of all services:
  https://developer.huaweicloud.com/intl/en-us/endpoint). The form is shown e.g. by
  https://support.huaweicloud.com/en-us/api-vas/vas_03_1121.html (``iva.cn-north-4.myhuaweicloud.com``, HTTPS) and
  by SMN's own signing-certificate URL ``https://smn.cn-north-9.myhuaweicloud.com/...``
  (https://support.huaweicloud.com/intl/en-us/api-rgc/AcceptSmnMessage.html); ../shared/reference/platform-facts.md:
  "Region endpoints look like https://cce.<region>.myhuaweicloud.com, https://smn.<region>.myhuaweicloud.com".
- CCE is called in ``REGION`` (default: the topic's region); SMN in the region of ``SMN_TOPIC_URN`` (a topic is
  published to in its own region).
- A region without a known public endpoint is a configuration error that names the variable to fix.
"""

from __future__ import annotations

from typing import Any

import pytest

from postcheck.config import ConfigurationError, load_settings
from postcheck.endpoints import cce_endpoint, smn_endpoint

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
VARIABLES = ("SMN_TOPIC_URN", "REGION", "CCE_ENDPOINT", "SMN_ENDPOINT")


def topic(region: str) -> str:
    return f"urn:smn:{region}:{PROJECT}:cce-upgrades"


class Context:
    def __init__(self, **user_data: str) -> None:
        self.user_data = user_data

    def getUserData(self, key: str, default: Any = None) -> Any:
        return self.user_data.get(key, default)


@pytest.fixture(autouse=True)
def _no_endpoint_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("region", ["cn-north-4", "ap-southeast-1", "cn-east-3"])
def test_without_a_configured_endpoint_each_service_is_called_at_its_regions_public_https_endpoint(region):
    settings = load_settings(Context(SMN_TOPIC_URN=topic(region)))

    assert cce_endpoint(settings) == f"https://cce.{region}.myhuaweicloud.com"
    assert smn_endpoint(settings) == f"https://smn.{region}.myhuaweicloud.com"


def test_cce_is_called_in_region_and_smn_in_the_topics_region():
    settings = load_settings(Context(SMN_TOPIC_URN=topic("ap-southeast-1"), REGION="cn-north-4"))

    assert cce_endpoint(settings) == "https://cce.cn-north-4.myhuaweicloud.com"
    assert smn_endpoint(settings) == "https://smn.ap-southeast-1.myhuaweicloud.com"


def test_a_configured_endpoint_is_used_as_given_for_its_service_only():
    cce = "https://cce.example.internal:8443"
    smn = "https://smn.example.internal"

    only_cce = load_settings(Context(SMN_TOPIC_URN=topic("cn-north-4"), CCE_ENDPOINT=cce))
    assert cce_endpoint(only_cce) == cce
    assert smn_endpoint(only_cce) == "https://smn.cn-north-4.myhuaweicloud.com"

    only_smn = load_settings(Context(SMN_TOPIC_URN=topic("cn-north-4"), SMN_ENDPOINT=smn))
    assert cce_endpoint(only_smn) == "https://cce.cn-north-4.myhuaweicloud.com"
    assert smn_endpoint(only_smn) == smn


def test_a_configured_endpoint_spares_an_unknown_region():
    settings = load_settings(Context(SMN_TOPIC_URN=topic("xx-nowhere-9"), CCE_ENDPOINT="https://127.0.0.1:8443",
                                     SMN_ENDPOINT="https://127.0.0.1:8444"))

    assert (cce_endpoint(settings), smn_endpoint(settings)) == ("https://127.0.0.1:8443", "https://127.0.0.1:8444")


def test_a_region_cce_has_no_public_endpoint_in_is_a_configuration_error_naming_region():
    settings = load_settings(Context(SMN_TOPIC_URN=topic("cn-north-4"), REGION="xx-nowhere-9"))

    with pytest.raises(ConfigurationError) as caught:
        cce_endpoint(settings)

    message = str(caught.value)
    assert message.startswith("REGION: ")  # the variable to fix comes first, as in every configuration error
    assert "'xx-nowhere-9'" in message and "CCE" in message
    assert "CCE_ENDPOINT" in message  # the way out: configure the endpoint
    assert "SMN" not in message.replace("SMN_TOPIC_URN", "")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__  # no SDK KeyError chained
    assert smn_endpoint(settings) == "https://smn.cn-north-4.myhuaweicloud.com"  # SMN's region is the topic's


def test_a_topic_region_smn_has_no_public_endpoint_in_is_a_configuration_error_naming_the_topic_variable():
    settings = load_settings(Context(SMN_TOPIC_URN=topic("xx-nowhere-9"), REGION="cn-north-4"))

    with pytest.raises(ConfigurationError) as caught:
        smn_endpoint(settings)

    message = str(caught.value)
    assert message.startswith("SMN_TOPIC_URN: ")
    assert "'xx-nowhere-9'" in message and "SMN" in message
    assert "SMN_ENDPOINT" in message
    assert "CCE" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert cce_endpoint(settings) == "https://cce.cn-north-4.myhuaweicloud.com"


def test_the_configuration_error_is_short():
    settings = load_settings(Context(SMN_TOPIC_URN=topic("xx-nowhere-9")))
    for call in (cce_endpoint, smn_endpoint):
        with pytest.raises(ConfigurationError) as caught:
            call(settings)
        assert len(str(caught.value)) < 1024  # issue 7: a rejection message is under 1 KiB
