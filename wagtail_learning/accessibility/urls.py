from django.urls import path

from . import views

app_name = "accessibility"

urlpatterns = [
    path("", views.statement, name="statement"),
    path("rapportera/", views.report, name="report"),
    path("rapportera/mottagen/", views.received, name="received"),
]
