from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("<int:participant_id>/", views.answer, name="answer"),
]
