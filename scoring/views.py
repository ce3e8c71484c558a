from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def placeholder(request: HttpRequest) -> HttpResponse:
    # PLACEHOLDER: replaced by the real views of this app.
    return render(request, "placeholder.html")
