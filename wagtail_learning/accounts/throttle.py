"""Who the client is behind our proxy, and counting requests in the cache.

Login failures are counted by django-axes (in the database, see config/settings); this
module gives axes the client's address and counts password-reset requests.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from wagtail_learning import defaults


def client_ip(request) -> str:
    """The client's address. Behind a proxy every visitor shares REMOTE_ADDR; the header
    the proxy sets (never the client) is named in LMS_CLIENT_IP_HEADER, e.g. HTTP_X_REAL_IP.
    A list (X-Forwarded-For) gives its last entry, the one our proxy added; anything that is
    not an IP address falls back to REMOTE_ADDR."""
    header = defaults.value("LMS_CLIENT_IP_HEADER") or "REMOTE_ADDR"
    for candidate in (request.META.get(header, ""), request.META.get("REMOTE_ADDR", "")):
        value = (candidate or "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            continue
    return ""


@dataclass(frozen=True)
class Limit:
    """At most `count` uses per key in a fixed `window` that starts at the first use."""

    name: str
    count: int
    window: timedelta


def hit(limit: Limit, key: str, *, now: datetime | None = None) -> datetime | None:
    """Count one use of `limit` by `key`. None while within the limit; past it, the time
    the window ends and `key` may try again.

    The cache is the store: with REDIS_URL, shared by every process; without it, each
    process counts for itself."""
    now = now or timezone.now()
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # no addresses in cache keys
    count_key = f"throttle:{limit.name}:{digest}"
    until_key = f"{count_key}:until"
    seconds = int(limit.window.total_seconds())
    cache.add(until_key, now + limit.window, seconds)
    cache.add(count_key, 0, seconds)
    try:
        count = cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.set(count_key, 1, seconds)
        count = 1
    if count <= limit.count:
        return None
    return cache.get(until_key) or now + limit.window
