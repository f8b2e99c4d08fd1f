"""The application's URLs plus the ceiling of the load benchmark: a bare
Django view on the same server that inserts one row and answers 204."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

# Created by bench/incident_load.py in its throwaway database.
CEILING_TABLE = "bench_ceiling"


@csrf_exempt
def insert_one_row(request):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {CEILING_TABLE} (at) VALUES (now())")  # noqa: S608 (a constant)
    return HttpResponse(status=204)


urlpatterns = [
    path("bench/insert/", insert_one_row),
    path("", include("config.urls")),
]
