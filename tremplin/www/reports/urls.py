from django.urls import path

from tremplin.www.reports import views

urlpatterns = [
    path("territoires/<int:territory_pk>/rapports/", views.report_list, name="report_list"),
    path("territoires/<int:territory_pk>/rapports/figer/", views.report_freeze, name="report_freeze"),
    path("rapports/<int:pk>/", views.report_detail, name="report_detail"),
    path("rapports/<int:pk>/rapport.pdf", views.report_pdf, name="report_pdf"),
    path(
        "territoires/<int:territory_pk>/exports/donnees.xlsx", views.export_xlsx, name="territory_export_xlsx"
    ),
    path(
        "territoires/<int:territory_pk>/exports/<slug:sheet>.csv",
        views.export_csv,
        name="territory_export_csv",
    ),
]
