"""What other apps use from accounts."""

from .throttle import client_ip

__all__ = ["client_ip"]
