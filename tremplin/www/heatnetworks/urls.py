from django.urls import path

from tremplin.www.heatnetworks import views

urlpatterns = [
    path(
        "territoires/<int:territory_pk>/reseaux-de-chaleur/",
        views.heat_network_import,
        name="heat_network_import",
    ),
    path(
        "territoires/<int:territory_pk>/carte/reseaux-de-chaleur.geojson",
        views.heat_network_layer,
        name="territory_map_heat_networks",
    ),
]
