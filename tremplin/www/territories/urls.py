from django.urls import path

from tremplin.www.territories import views

urlpatterns = [
    path("", views.territory_list, name="territory_list"),
    path("nouveau/", views.territory_create, name="territory_create"),
    path("<int:pk>/", views.territory_detail, name="territory_detail"),
    path("<int:pk>/carte.geojson", views.territory_map, name="territory_map"),
]
