from django.contrib import admin
from django.urls import include, path

from tremplin.www.coaching.views.feed import calendar_feed

urlpatterns = [
    path("", include("tremplin.www.home.urls")),
    path("comptes/", include("tremplin.www.accounts.urls")),
    path("territoires/", include("tremplin.www.territories.urls")),
    path("", include("tremplin.www.establishments.urls")),
    path("", include("tremplin.www.installations.urls")),
    path("", include("tremplin.www.flows.urls")),
    path("", include("tremplin.www.registers.urls")),
    path("questionnaire/", include("tremplin.www.questionnaire.urls")),
    path("programme/", include("tremplin.www.programme.urls")),
    path("accompagnement/", include("tremplin.www.coaching.urls")),
    # A person's calendar feed, read by calendar applications (no session: the secret is the credential).
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("", include("tremplin.www.synergies.urls")),
    path("", include("tremplin.www.indicators.urls")),
    path("", include("tremplin.www.maps.urls")),
    path("", include("tremplin.www.heatnetworks.urls")),
    path("", include("tremplin.www.reports.urls")),
    path("", include("tremplin.www.privacy.urls")),
    path("", include("tremplin.www.workshops.urls")),
    path("api/", include("tremplin.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
