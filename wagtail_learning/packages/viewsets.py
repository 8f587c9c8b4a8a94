"""The package library's admin views (in modules' "Learning content" menu)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.snippets.views.snippets import SnippetViewSet

from wagtail_learning.org.api import OwnedViewSetMixin

from .models import ContentPackage


class ContentPackageViewSet(OwnedViewSetMixin, SnippetViewSet):
    model = ContentPackage
    icon = "folder-open-inverse"
    menu_label = _("E-learning packages")
    menu_name = "packages"
    list_display = [
        "title",
        Column("standard_display", label=_("Standard")),
        "launch_path",
        UpdatedAtColumn(),
    ]
    search_fields = ["title"]
    ordering = ["title"]
