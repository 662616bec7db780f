from django.contrib.auth import views as auth_views
from django.urls import path

from tremplin.www.accounts import people_views, token_views, views
from tremplin.www.accounts.forms import SparingPasswordResetForm

urlpatterns = [
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(form_class=SparingPasswordResetForm),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/reinitialise/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Sign-up confirmation (the sign-up form itself is the programme's, for applicants).
    path("inscription/verifiez-vos-e-mails/", views.signup_sent, name="signup_sent"),
    path("inscription/confirmer/<str:token>/", views.account_confirm, name="account_confirm"),
    # Who joins a territory's team.
    path("demandes-d-acces/", views.access_requests, name="access_requests"),
    path("demandes-d-acces/<int:pk>/accepter/", views.access_request_accept, name="access_request_accept"),
    path("demandes-d-acces/<int:pk>/refuser/", views.access_request_refuse, name="access_request_refuse"),
    path("territoires/<int:territory_pk>/equipe/", views.territory_team, name="territory_team"),
    path("equipes/membres/<int:pk>/retirer/", views.team_member_remove, name="team_member_remove"),
    path("territoires/<int:territory_pk>/journal/", views.territory_journal, name="territory_journal"),
    # People and roles: invitations by e-mail, who holds which role.
    path("invitations/<str:token>/", people_views.invitation_accept, name="people_invitation_accept"),
    path("invitations/<int:pk>/retirer/", people_views.invitation_revoke, name="people_invitation_revoke"),
    path("personnes/", people_views.people_programme, name="people_programme"),
    path("personnes/inviter/", people_views.programme_invite, name="people_programme_invite"),
    path(
        "personnes/programme/<int:pk>/retirer/",
        people_views.programme_member_remove,
        name="people_programme_remove",
    ),
    path("personnes/appels/<int:call_pk>/", people_views.people_call, name="people_call"),
    path(
        "personnes/appels/<int:call_pk>/inviter/",
        people_views.committee_invite,
        name="people_committee_invite",
    ),
    path("personnes/sieges/<int:pk>/retirer/", people_views.committee_seat_remove, name="people_seat_remove"),
    path(
        "territoires/<int:territory_pk>/equipe/inviter/",
        people_views.territory_invite,
        name="territory_invite",
    ),
    path("equipes/membres/<int:pk>/acces/", people_views.member_access, name="team_member_access"),
    # Personal API tokens.
    path("jetons-api/", token_views.api_tokens, name="api_tokens"),
    path("jetons-api/<int:pk>/revoquer/", token_views.api_token_revoke, name="api_token_revoke"),
]
