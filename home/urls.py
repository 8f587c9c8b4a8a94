from django.urls import path

from . import views

app_name = "home"

urlpatterns = [
    path("min-utbildning/", views.training_record, name="training_record"),
    path("min-utbildning/export.json", views.training_record_json, name="training_record_json"),
]
