from django.urls import path

from tremplin.www.registers import views

urlpatterns = [
    path("territoires/<int:territory_pk>/registres/irep/", views.irep_upload, name="irep_upload"),
    path("registres/imports/<int:pk>/", views.irep_review, name="irep_review"),
    path("registres/imports/<int:pk>/confirmer/", views.irep_confirm, name="irep_confirm"),
]
