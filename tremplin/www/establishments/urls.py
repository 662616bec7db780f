from django.urls import path

from tremplin.www.establishments import views

urlpatterns = [
    path(
        "territoires/<int:territory_pk>/etablissements/", views.establishment_list, name="establishment_list"
    ),
    path(
        "territoires/<int:territory_pk>/etablissements/nouveau/",
        views.establishment_create,
        name="establishment_create",
    ),
    path(
        "territoires/<int:territory_pk>/etablissements/importer/",
        views.establishment_import,
        name="establishment_import",
    ),
    path("etablissements/imports/<int:pk>/", views.import_job, name="establishment_import_job"),
    path(
        "etablissements/imports/<int:pk>/confirmer/",
        views.import_confirm,
        name="establishment_import_confirm",
    ),
    path("etablissements/imports/<int:pk>/annuler/", views.import_cancel, name="establishment_import_cancel"),
    path(
        "etablissements/imports/<int:pk>/avancement/",
        views.import_job_progress,
        name="establishment_import_job_progress",
    ),
    path(
        "territoires/<int:territory_pk>/etablissements/modele.csv",
        views.import_template,
        {"fmt": "csv"},
        name="establishment_template_csv",
    ),
    path(
        "territoires/<int:territory_pk>/etablissements/modele.xlsx",
        views.import_template,
        {"fmt": "xlsx"},
        name="establishment_template_xlsx",
    ),
    path("etablissements/<int:pk>/", views.establishment_detail, name="establishment_detail"),
    path("etablissements/<int:pk>/modifier/", views.establishment_edit, name="establishment_edit"),
    path("etablissements/<int:pk>/contacts/ajouter/", views.contact_add, name="establishment_contact_add"),
    path("etablissements/contacts/<int:pk>/modifier/", views.contact_edit, name="establishment_contact_edit"),
    path(
        "etablissements/contacts/<int:pk>/supprimer/",
        views.contact_delete,
        name="establishment_contact_delete",
    ),
]
