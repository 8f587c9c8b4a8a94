from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.calendar_settings, name="calendar"),
    path("ny-adress/", views.calendar_new_token, name="calendar_new_token"),
    path("stang/", views.calendar_revoke, name="calendar_revoke"),
    path("<str:token>.ics", views.calendar_feed, name="feed"),
]
