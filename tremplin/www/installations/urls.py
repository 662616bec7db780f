from django.urls import path

from tremplin.www.installations import views

urlpatterns = [
    path(
        "territoires/<int:territory_pk>/installations-classees/",
        views.icpe_import,
        name="icpe_import",
    ),
    path("installations-classees/<int:pk>/rattachement/", views.icpe_match, name="icpe_match"),
]
