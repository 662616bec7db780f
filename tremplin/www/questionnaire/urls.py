from django.urls import path

from tremplin.www.questionnaire import views

urlpatterns = [
    path("", views.questionnaire_mine, name="questionnaire_mine"),
    path("lien/<str:token>/", views.questionnaire_open, name="questionnaire_open"),
    path("mot-de-passe/", views.questionnaire_password, name="questionnaire_password"),
    path("etablissements/<int:establishment_pk>/", views.questionnaire_home, name="questionnaire_home"),
    path(
        "etablissements/<int:establishment_pk>/gisements/",
        views.questionnaire_outputs,
        name="questionnaire_outputs",
    ),
    path(
        "etablissements/<int:establishment_pk>/besoins/",
        views.questionnaire_inputs,
        name="questionnaire_inputs",
    ),
    path(
        "etablissements/<int:establishment_pk>/envoi/",
        views.questionnaire_review,
        name="questionnaire_review",
    ),
    path("etablissements/<int:establishment_pk>/inviter/", views.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/revoquer/", views.invitation_revoke, name="invitation_revoke"),
]
