from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views
from accounts.forms import LoginForm

# Account management for administrators, namespaced "accounts:"; login/logout keep their plain names.
management = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<id:pk>/edit/", views.account_edit, name="edit"),
    path("<id:pk>/password/", views.account_password, name="password"),
    path("<id:pk>/deactivate/", views.account_set_active, {"active": False}, name="deactivate"),
    path("<id:pk>/reactivate/", views.account_set_active, {"active": True}, name="reactivate"),
    path("locks/", views.lock_list, name="locks"),
    path("locks/release/", views.lock_release, name="lock_release"),
]

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, template_name="accounts/login.html", redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("accounts/", include((management, "accounts"))),
]
