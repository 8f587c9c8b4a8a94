from django.urls import path

from . import views

app_name = "external"

urlpatterns = [
    path("kurser/<int:course_id>/registrera/", views.register, name="register"),
    path("kurser/<int:course_id>/organisationer/", views.register_page, name="register_page"),
    path("registrerad/", views.sent, name="sent"),
    path("skicka-igen/", views.resend, name="resend"),
    path("bekrafta/<str:token>/", views.verify, name="verify"),
    path("erkannande/<str:code>/", views.verify_recognition, name="verify_recognition"),
    path("min-organisation/", views.organisation, name="organisation"),
    path("min-organisation/samtycke/<int:recognition_id>/", views.consent, name="consent"),
]
