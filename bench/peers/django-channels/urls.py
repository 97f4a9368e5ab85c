from django.urls import path

import views

urlpatterns = [
    path("health", views.health),
    path("api/v1/publish", views.publish),
]
