"""Duty roster pages: each organisation's shifts and gaps, on duty now."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def index(request):
    return render(request, "incidents/roster_index.html", {})
