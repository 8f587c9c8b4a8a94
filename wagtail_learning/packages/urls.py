from django.urls import path

from . import cmi5, views

app_name = "packages"

urlpatterns = [
    path("<int:module_id>/<str:step_id>/fil/<path:path>", views.package_file, name="file"),
    path("<int:module_id>/<str:step_id>/cmi/", views.commit, name="commit"),
    # cmi5: the launch's one-time token, and the AU's LRS endpoint ("endpoint" ends in /).
    path("cmi5/hamta/<str:secret>/", cmi5.fetch_token, name="cmi5_fetch"),
    path("cmi5/lrs/", cmi5.lrs, {"resource": ""}, name="cmi5_lrs"),
    path("cmi5/lrs/<path:resource>", cmi5.lrs, name="cmi5_lrs_resource"),
]
