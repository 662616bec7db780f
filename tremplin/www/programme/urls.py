from django.urls import path
from django.views.generic import RedirectView

from tremplin.www.programme.views import apply, committee, extracts, manage, potentials, public

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="programme_call_list", permanent=False)),
    # Public: calls and the applicants' sign-up.
    path("appels/", public.call_list, name="programme_call_list"),
    path("appels/<int:pk>/", public.call_detail, name="programme_call_detail"),
    path("inscription/", public.signup, name="programme_signup"),
    # Applicants.
    path("appels/<int:pk>/candidater/", apply.apply, name="programme_apply"),
    path("candidatures/", apply.my_applications, name="programme_my_applications"),
    path("candidatures/<int:pk>/", apply.application_detail, name="programme_application_detail"),
    path("candidatures/<int:pk>/modifier/", apply.application_edit, name="programme_application_edit"),
    path(
        "candidatures/<int:pk>/deliberation/",
        apply.application_deliberation,
        name="programme_application_deliberation",
    ),
    path(
        "candidatures/<int:pk>/documents/<slug:kind>/",
        apply.application_document,
        name="programme_application_document",
    ),
    # Committee members.
    path("comite/", committee.committee_home, name="programme_committee"),
    path("comite/appels/<int:pk>/", committee.committee_call, name="programme_committee_call"),
    path("comite/candidatures/<int:pk>/", committee.score_application, name="programme_score"),
    # Programme team.
    path("gestion/", manage.manage_home, name="programme_manage"),
    path("gestion/appels/nouveau/", manage.call_create, name="programme_call_create"),
    path("gestion/appels/<int:pk>/", manage.call_edit, name="programme_call_edit"),
    path("gestion/appels/<int:pk>/comite/", manage.call_committee, name="programme_call_committee"),
    path("gestion/sieges/<int:pk>/retirer/", manage.seat_remove, name="programme_seat_remove"),
    path("gestion/sieges/<int:pk>/relancer/", manage.seat_remind, name="programme_seat_remind"),
    path(
        "gestion/appels/<int:pk>/candidatures/", manage.call_applications, name="programme_call_applications"
    ),
    path(
        "gestion/candidatures/<int:pk>/eligibilite/", manage.application_override, name="programme_override"
    ),
    path(
        "gestion/candidatures/<int:pk>/potentiel/", manage.application_potential, name="programme_potential"
    ),
    path("gestion/appels/<int:pk>/extrait-sirene/", extracts.extract_upload, name="programme_extract_upload"),
    path(
        "gestion/extraits-sirene/<int:pk>/etat/", extracts.extract_progress, name="programme_extract_progress"
    ),
    path("gestion/appels/<int:pk>/classement/", manage.call_ranking, name="programme_call_ranking"),
    path("gestion/appels/<int:pk>/journal/", manage.call_audit, name="programme_call_audit"),
    # Programme team: potentials of territories loaded from `tremplin potential` (issue 14).
    path("gestion/potentiel/", potentials.potential_territories, name="programme_potentials"),
    path("gestion/potentiel/carte.geojson", potentials.potential_map, name="programme_potential_map"),
    path(
        "gestion/potentiel/export.csv",
        potentials.potential_export,
        {"fmt": "csv"},
        name="programme_potential_export_csv",
    ),
    path(
        "gestion/potentiel/export.xlsx",
        potentials.potential_export,
        {"fmt": "xlsx"},
        name="programme_potential_export_xlsx",
    ),
    path("gestion/potentiel/charger/", potentials.potential_load, name="programme_potential_load"),
]
