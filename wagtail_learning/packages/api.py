"""The packages app's public way in: what the module pages need to play a package step."""

from .models import ContentPackage
from .services import create_package
from .views import player_context
from .viewsets import ContentPackageViewSet

__all__ = ["ContentPackage", "ContentPackageViewSet", "create_package", "player_context"]
