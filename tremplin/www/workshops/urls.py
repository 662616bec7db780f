from django.urls import path

from tremplin.www.workshops import participant_views, team_views

urlpatterns = [
    path("territoires/<int:territory_pk>/ateliers/", team_views.workshop_list, name="workshop_list"),
    path("ateliers/<int:pk>/", team_views.workshop_detail, name="workshop_detail"),
    path("ateliers/<int:pk>/ecran/", team_views.workshop_screen, name="workshop_screen"),
    path("ateliers/<int:pk>/ecran/direct/", team_views.workshop_screen_live, name="workshop_screen_live"),
    path(
        "ateliers/<int:pk>/correspondances/<int:match_pk>/",
        team_views.match_action,
        name="workshop_match_action",
    ),
    path(
        "ateliers/<int:pk>/entreprises/<int:company_pk>/verifier/",
        team_views.company_check,
        name="workshop_company_check",
    ),
    path("ateliers/<int:pk>/cloturer/", team_views.workshop_close, name="workshop_close"),
    path("ateliers/<int:pk>/convertir/", team_views.workshop_convert, name="workshop_convert"),
    path("ateliers/<int:pk>/emargement/", team_views.workshop_attendance, name="workshop_attendance"),
    path("ateliers/<int:pk>/synthese.pdf", team_views.workshop_summary_pdf, name="workshop_summary_pdf"),
    # The participants' side: the token is the link's secret.
    path("a/<str:token>/", participant_views.join, name="workshop_join"),
    path("a/<str:token>/moi/", participant_views.me, name="workshop_me"),
    path("a/<str:token>/declarer/", participant_views.declare, name="workshop_declare"),
    path(
        "a/<str:token>/declarations/<int:declaration_pk>/retirer/",
        participant_views.withdraw,
        name="workshop_withdraw",
    ),
]
