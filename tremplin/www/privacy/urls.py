from django.urls import path

from tremplin.www.privacy import views

urlpatterns = [
    path(
        "territoires/<int:territory_pk>/donnees-personnelles/",
        views.territory_personal_data,
        name="territory_personal_data",
    ),
]
