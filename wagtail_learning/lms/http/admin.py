"""Building blocks of the Wagtail admin shared by the apps above the engine."""

from wagtail.admin.menu import MenuItem


class PermissionMenuItem(MenuItem):
    """A menu item shown to those holding `permission`. Asked of the user's permissions,
    which Django caches on the user, so showing the menu costs no query per admin page."""

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)
