from django.urls import path

from tremplin.www.synergies.views import contact_views, detection_views, pipeline_views, whynot_views

urlpatterns = [
    path("territoires/<int:territory_pk>/detection/", detection_views.detection_home, name="detection_home"),
    path(
        "territoires/<int:territory_pk>/detection/pourquoi-pas/",
        whynot_views.detection_why_not,
        name="detection_why_not",
    ),
    path("detection/<int:pk>/", detection_views.detection_run, name="detection_run"),
    path(
        "detection/<int:pk>/progression/",
        detection_views.detection_run_progress,
        name="detection_run_progress",
    ),
    path("detection/<int:pk>/echec/", detection_views.detection_run_fail, name="detection_run_fail"),
    path("detection/<int:pk>/relancer/", detection_views.detection_run_restart, name="detection_run_restart"),
    path("detection/<int:pk>/pistes/ecarter/", detection_views.leads_dismiss, name="leads_dismiss"),
    path("pistes/<int:pk>/accepter/", detection_views.lead_accept, name="lead_accept"),
    path("pistes/<int:pk>/ecarter/", detection_views.lead_dismiss, name="lead_dismiss"),
    path("territoires/<int:territory_pk>/synergies/", pipeline_views.synergy_board, name="synergy_board"),
    path(
        "territoires/<int:territory_pk>/synergies/tableau/",
        pipeline_views.synergy_table,
        name="synergy_table",
    ),
    path("synergies/<int:pk>/", pipeline_views.synergy_detail, name="synergy_detail"),
    path("synergies/<int:pk>/statut/", pipeline_views.synergy_transition, name="synergy_transition"),
    path("synergies/<int:pk>/actions/", pipeline_views.synergy_action_add, name="synergy_action_add"),
    path("synergies/actions/<int:pk>/fait/", pipeline_views.synergy_action_done, name="synergy_action_done"),
    path("synergies/<int:pk>/mesures/", pipeline_views.synergy_measurement, name="synergy_measurement"),
    path(
        "synergies/participations/<int:pk>/consentement/",
        pipeline_views.participant_consent,
        name="participant_consent",
    ),
    path("opportunites/", contact_views.contact_opportunities, name="contact_opportunities"),
]
