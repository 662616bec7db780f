from django.urls import path

from tremplin.www.maps import views

urlpatterns = [
    path("territoires/<int:territory_pk>/carte/", views.map_page, name="territory_map_page"),
    path(
        "territoires/<int:territory_pk>/carte/etablissements.geojson",
        views.map_points,
        name="territory_map_points",
    ),
    path(
        "territoires/<int:territory_pk>/carte/synergies.geojson",
        views.map_synergies,
        name="territory_map_synergies",
    ),
    path(
        "territoires/<int:territory_pk>/carte/export/<slug:layer>.geojson",
        views.map_export,
        name="territory_map_export",
    ),
]
