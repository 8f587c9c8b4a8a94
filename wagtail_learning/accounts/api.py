"""What other apps use from accounts."""

from .throttle import Limit, client_ip, hit

__all__ = ["Limit", "client_ip", "hit"]
