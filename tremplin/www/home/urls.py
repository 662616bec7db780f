from django.urls import path

from tremplin.www.home import views

urlpatterns = [path("", views.home, name="home")]
