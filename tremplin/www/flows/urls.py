from django.urls import path

from tremplin.www.flows import views

urlpatterns = [
    path("territoires/<int:territory_pk>/flux/", views.territory_flows, name="territory_flows"),
    path("etablissements/<int:establishment_pk>/flux/nouveau/", views.flow_create, name="flow_create"),
    path("flux/<int:pk>/modifier/", views.flow_update, name="flow_update"),
    path("flux/<int:pk>/supprimer/", views.flow_delete, name="flow_delete"),
    path("flux/catalogue/", views.resource_search, name="resource_search"),
]
