from django.urls import path

from tremplin.www.establishments import views

urlpatterns = [
    path(
        "territoires/<int:territory_pk>/etablissements/", views.establishment_list, name="establishment_list"
    ),
    path("etablissements/<int:pk>/", views.establishment_detail, name="establishment_detail"),
]
