from django.urls import path

from tremplin.www.indicators import views

urlpatterns = [
    path(
        "territoires/<int:territory_pk>/indicateurs/",
        views.territory_indicators_page,
        name="territory_indicators",
    ),
    path("indicateurs/programme/", views.programme_indicators_page, name="programme_indicators"),
    path("indicateurs/programme.xlsx", views.programme_indicators_export, name="programme_indicators_export"),
]
