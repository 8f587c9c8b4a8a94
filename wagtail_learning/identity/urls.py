from django.urls import path

from . import views

app_name = "identity"

urlpatterns = [
    path("oidc/callback/", views.oidc_callback, name="oidc_callback"),
    path("saml/klar/", views.saml_finish, name="saml_finish"),
    path("saml/<slug:slug>/acs/", views.saml_acs, name="saml_acs"),
    path("saml/<slug:slug>/metadata/", views.saml_metadata, name="saml_metadata"),
    path("saml/<slug:slug>/sls/", views.saml_sls, name="saml_sls"),
    path("utloggad/", views.logged_out, name="logged_out"),
    # Last: a slug would match the fixed paths above.
    path("<slug:slug>/", views.start, name="start"),
]
