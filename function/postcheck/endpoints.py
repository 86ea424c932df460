"""Which base URL each service is reached at: the configured one, else the region's public endpoint
from the SDK's own region tables."""

from __future__ import annotations

from .config import ConfigurationError, Settings


def cce_endpoint(settings: Settings) -> str:
    if settings.cce_endpoint:
        return settings.cce_endpoint
    from huaweicloudsdkcce.v3.region.cce_region import CceRegion

    return _first(CceRegion, settings.region, "REGION", "CCE")


def smn_endpoint(settings: Settings) -> str:
    if settings.smn_endpoint:
        return settings.smn_endpoint
    from huaweicloudsdksmn.v2.region.smn_region import SmnRegion

    return _first(SmnRegion, settings.topic_region, "SMN_TOPIC_URN", "SMN")


def _first(region_class: type, region: str, variable: str, service: str) -> str:
    try:
        return region_class.value_of(region).endpoints[0]
    except KeyError:
        raise ConfigurationError(
            f"{variable}: {service} has no public endpoint in region {region!r} known to the SDK; "
            f"check the region or set {service}_ENDPOINT"
        ) from None
