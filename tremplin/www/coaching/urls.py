from django.urls import path

from tremplin.www.coaching.views import (
    attendance,
    calendar,
    deliverables,
    editions,
    feed,
    followup,
    strategy,
    support,
)

urlpatterns = [
    path("", calendar.coaching_home, name="coaching_home"),
    path("territoire/<int:territory_pk>/", calendar.coaching_territory, name="coaching_territory"),
    # Calendar (a call's events)
    path("appel/<int:call_pk>/", calendar.coaching_call, name="coaching_call"),
    path("appel/<int:call_pk>/calendrier/", calendar.coaching_calendar, name="coaching_calendar"),
    path("appel/<int:call_pk>/calendrier.ics", calendar.coaching_calendar_ics, name="coaching_calendar_ics"),
    path(
        "appel/<int:call_pk>/calendrier/pre-remplir/",
        editions.coaching_calendar_prefill,
        name="coaching_calendar_prefill",
    ),
    path(
        "appel/<int:call_pk>/evenements/nouveau/",
        calendar.coaching_event_create,
        name="coaching_event_create",
    ),
    path("evenements/<int:pk>/", calendar.coaching_event_detail, name="coaching_event_detail"),
    path("evenements/<int:pk>/modifier/", calendar.coaching_event_edit, name="coaching_event_edit"),
    path("evenements/<int:pk>/supprimer/", calendar.coaching_event_delete, name="coaching_event_delete"),
    path(
        "evenements/<int:pk>/inscrire/",
        calendar.coaching_registration_create,
        name="coaching_registration_create",
    ),
    path(
        "inscriptions/<int:pk>/presence/",
        calendar.coaching_registration_attendance,
        name="coaching_registration_attendance",
    ),
    path(
        "inscriptions/<int:pk>/annuler/",
        calendar.coaching_registration_delete,
        name="coaching_registration_delete",
    ),
    # Registrations in one step, convocations, attendance (programme team); a person's calendar feed
    path(
        "appel/<int:call_pk>/inscriptions/",
        attendance.coaching_bulk_registration,
        name="coaching_bulk_registration",
    ),
    path("appel/<int:call_pk>/convocations/", attendance.coaching_convocations, name="coaching_convocations"),
    path(
        "appel/<int:call_pk>/presences.csv",
        attendance.coaching_attendance_csv,
        name="coaching_attendance_csv",
    ),
    path("mon-calendrier/", feed.calendar_feed_settings, name="calendar_feed_settings"),
    path("mon-calendrier/renouveler/", feed.calendar_feed_renew, name="calendar_feed_renew"),
    path("mon-calendrier/revoquer/", feed.calendar_feed_revoke, name="calendar_feed_revoke"),
    # Edition templates (events and deliverables dated from an edition's start)
    path("modeles/", editions.coaching_templates, name="coaching_templates"),
    path("modeles/nouveau/", editions.coaching_template_create, name="coaching_template_create"),
    path("modeles/<int:pk>/", editions.coaching_template_detail, name="coaching_template_detail"),
    path("modeles/<int:pk>/modifier/", editions.coaching_template_edit, name="coaching_template_edit"),
    path(
        "modeles/<int:pk>/dupliquer/",
        editions.coaching_template_duplicate,
        name="coaching_template_duplicate",
    ),
    path("modeles/<int:pk>/supprimer/", editions.coaching_template_delete, name="coaching_template_delete"),
    path(
        "modeles/<int:pk>/<slug:item_type>/ajouter/",
        editions.coaching_template_item_create,
        name="coaching_template_item_create",
    ),
    path(
        "modeles/elements/<slug:item_type>/<int:item_pk>/",
        editions.coaching_template_item_edit,
        name="coaching_template_item_edit",
    ),
    path(
        "modeles/elements/<slug:item_type>/<int:item_pk>/supprimer/",
        editions.coaching_template_item_delete,
        name="coaching_template_item_delete",
    ),
    path(
        "modeles/elements/<slug:item_type>/<int:item_pk>/deplacer/",
        editions.coaching_template_item_move,
        name="coaching_template_item_move",
    ),
    # A territory's deliverables
    path("participations/<int:pk>/", deliverables.coaching_participation, name="coaching_participation"),
    path(
        "participations/<int:participation_pk>/livrables/<slug:kind>/",
        deliverables.coaching_deliverable,
        name="coaching_deliverable",
    ),
    path(
        "livrables/<int:pk>/elements/<slug:item_type>/ajouter/",
        deliverables.coaching_deliverable_item_add,
        name="coaching_deliverable_item_add",
    ),
    path(
        "livrables/<int:pk>/elements/<slug:item_type>/<int:item_pk>/supprimer/",
        deliverables.coaching_deliverable_item_delete,
        name="coaching_deliverable_item_delete",
    ),
    path(
        "livrables/<int:pk>/perimetre/", deliverables.coaching_perimeter_save, name="coaching_perimeter_save"
    ),
    path(
        "livrables/<int:pk>/statut/",
        deliverables.coaching_deliverable_transition,
        name="coaching_deliverable_transition",
    ),
    path(
        "livrables/<int:pk>/commentaires/",
        deliverables.coaching_deliverable_comment,
        name="coaching_deliverable_comment",
    ),
    path(
        "participations/<int:pk>/strategie.pdf",
        deliverables.coaching_strategy_pdf,
        name="coaching_strategy_pdf",
    ),
    # The strategy: objectives' values, the action plan, SWOT items pulled from the territory's data
    path("objectifs/<int:pk>/modifier/", strategy.coaching_objective_edit, name="coaching_objective_edit"),
    path(
        "objectifs/<int:pk>/valeurs/ajouter/",
        strategy.coaching_objective_value_add,
        name="coaching_objective_value_add",
    ),
    path(
        "valeurs/<int:pk>/supprimer/",
        strategy.coaching_objective_value_delete,
        name="coaching_objective_value_delete",
    ),
    path("livrables/<int:pk>/swot/reprendre/", strategy.coaching_swot_pull, name="coaching_swot_pull"),
    path(
        "participations/<int:pk>/plan-d-actions/", strategy.coaching_action_plan, name="coaching_action_plan"
    ),
    path("actions/<int:pk>/", strategy.coaching_action_edit, name="coaching_action_edit"),
    path("actions/<int:pk>/statut/", strategy.coaching_action_transition, name="coaching_action_transition"),
    # Individual support and good practices
    path("participations/<int:pk>/appui/", support.coaching_support_days, name="coaching_support_days"),
    path("appui/<int:pk>/", support.coaching_support_day_edit, name="coaching_support_day_edit"),
    path(
        "participations/<int:pk>/bonnes-pratiques/",
        support.coaching_good_practices,
        name="coaching_good_practices",
    ),
    path(
        "bonnes-pratiques/<int:pk>/", support.coaching_good_practice_edit, name="coaching_good_practice_edit"
    ),
    path("appel/<int:call_pk>/club/", support.coaching_network, name="coaching_network"),
    path("region/<int:region_pk>/club/", support.coaching_regional_network, name="coaching_regional_network"),
    # Follow-up
    path(
        "evenements/<int:event_pk>/rapports/<int:participation_pk>/",
        followup.coaching_report,
        name="coaching_report",
    ),
    path("evenements/<int:event_pk>/comparaison/", followup.coaching_comparison, name="coaching_comparison"),
    path(
        "evenements/<int:event_pk>/comparaison.<str:fmt>",
        followup.coaching_comparison_export,
        name="coaching_comparison_export",
    ),
    path("appel/<int:call_pk>/bilan/", followup.coaching_closing_review, name="coaching_closing_review"),
    path(
        "appel/<int:call_pk>/bilan.<str:fmt>",
        followup.coaching_closing_review_export,
        name="coaching_closing_review_export",
    ),
]
