"""Wagtail's site history behind the wall.

Wagtail lists every log entry of the models a user has any permission on, whatever
organisation it is about: HR of one municipality saw the other's exports, imports,
HR officers and learners. This subclass shows each user only the entries the wall lets
through (org.api.scope_log_entries), in the listing, its CSV/XLSX export and the filter
choices (users, types, actions) alike. config/urls.py routes Wagtail's own URLs here.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField, Value
from django.utils.translation import gettext_lazy as _
from wagtail.admin.auth import require_admin_access
from wagtail.admin.filters import ContentTypeFilter
from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet
from wagtail.log_actions import registry as log_action_registry

from wagtail_learning.org.api import scope_log_entries


def visible_log_entries(user, log_model):
    """The entries of `log_model` `user` may see: Wagtail's permission rule, then the wall."""
    return scope_log_entries(user, log_model.objects.viewable_by_user(user))


def _visible(user):
    models = log_action_registry.get_log_entry_models()
    return [visible_log_entries(user, model) for model in models]


def _content_types(request):
    ids = set()
    for entries in _visible(request.user):
        ids.update(entries.get_content_type_ids())
    return ContentType.objects.filter(pk__in=ids).order_by("model")


class WalledSiteHistoryFilterSet(SiteHistoryReportFilterSet):
    object_type = ContentTypeFilter(
        label=_("Type"), method="filter_object_type", queryset=_content_types
    )

    def get_action_choices(self):
        actions = set()
        for entries in _visible(self.request.user):
            actions.update(entries.get_actions())
        return [choice for choice in log_action_registry.get_choices() if choice[0] in actions]

    def get_user_choices(self):
        user_ids = set()
        for entries in _visible(self.request.user):
            user_ids.update(entries.get_user_ids())
        User = get_user_model()
        return User.objects.filter(pk__in=user_ids).order_by(User.USERNAME_FIELD)

    class Meta(SiteHistoryReportFilterSet.Meta):
        pass


class WalledLogEntriesView(LogEntriesView):
    filterset_class = WalledSiteHistoryFilterSet

    def get_filtered_queryset(self):
        # Wagtail's own method, with visible_log_entries in place of viewable_by_user.
        queryset = None
        self.log_models = list(log_action_registry.get_log_entry_models())
        for index, log_model in enumerate(self.log_models):
            entries = (
                visible_log_entries(self.request.user, log_model)
                .values("pk", "timestamp")
                .annotate(log_model_index=Value(index, output_field=IntegerField()))
            )
            entries = self.filter_queryset(entries).order_by()
            queryset = entries if queryset is None else queryset.union(entries, all=True)
        return queryset.order_by("-timestamp")


site_history = require_admin_access(WalledLogEntriesView.as_view())
site_history_results = require_admin_access(WalledLogEntriesView.as_view(results_only=True))
