"""xAPI out in Wagtail's admin (Settings menu): an organisation's LRS, and its outbox with
each statement's state. Both behind the wall: a coordinator sees and edits only their own
organisation's rows. The model permissions decide who sees the menu items."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet

from wagtail_learning.org.api import Organisation, WalledViewSetMixin, scope_queryset

from .models import LrsConnection, StatementOutbox

CONNECTION_FIELDS = ["organisation", "enabled", "endpoint", "key", "actor", "home_page"]


class LrsConnectionForm(WagtailAdminModelForm):
    """The secret is write-only: never rendered back; left blank, the stored one is kept.
    Only the organisations in the editor's scope can be chosen."""

    secret = forms.CharField(
        label=_("secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )

    class Meta:
        model = LrsConnection
        fields = CONNECTION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(depth=1).order_by("name")
        if self.for_user is not None:
            organisations = scope_queryset(self.for_user, organisations)
        self.fields["organisation"].queryset = organisations
        stored = bool(self.instance.pk and self.instance.secret_encrypted)
        self.fields["secret"].help_text = (
            _("A value is stored; leave empty to keep it.")
            if stored
            else _("Not shown again once saved.")
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enabled") and not (
            cleaned.get("secret") or (self.instance.pk and self.instance.secret_encrypted)
        ):
            self.add_error("secret", _("Sending needs the LRS's secret."))
        return cleaned

    def save(self, commit=True):
        if self.cleaned_data.get("secret"):
            self.instance.secret = self.cleaned_data["secret"]
        return super().save(commit=commit)


class LrsConnectionViewSet(WalledViewSetMixin, ModelViewSet):
    model = LrsConnection
    form_fields = CONNECTION_FIELDS
    list_display = ["organisation", "endpoint", "actor", "enabled"]
    icon = "link"
    add_to_settings_menu = True
    menu_label = _("LRS (xAPI)")
    name = "xapi_connections"
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return LrsConnectionForm


class StatementOutboxViewSet(WalledViewSetMixin, ModelViewSet):
    """Read only: statements are written by events and sent by the task queue."""

    model = StatementOutbox
    icon = "list-ul"
    add_to_settings_menu = True
    menu_label = _("xAPI outbox")
    name = "xapi_outbox"
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["state"]  # no form view is routed; Wagtail asks for one all the same
    list_display = ["event", "state", "attempts", "last_error", "created_at", "sent_at"]
    list_filter = ["state", "event"]
    inspect_view_fields = [
        "connection",
        "event",
        "state",
        "attempts",
        "last_error",
        "statement_id",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    list_export = ["event", "state", "attempts", "last_error", "created_at", "sent_at"]

    def get_urlpatterns(self):
        allowed = {"index", "index_results", "inspect"}
        return [p for p in super().get_urlpatterns() if p.name in allowed]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "delete_url_name": None, **kwargs}
        )


@hooks.register("register_admin_viewset")
def register_xapi_viewsets():
    return [LrsConnectionViewSet(), StatementOutboxViewSet()]
