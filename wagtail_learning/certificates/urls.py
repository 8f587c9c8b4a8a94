from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("mine/", views.mine, name="mine"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/pdf/", views.download, name="download"),
]
