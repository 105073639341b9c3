from django.http import HttpRequest, HttpResponse


def placeholder(request: HttpRequest) -> HttpResponse:
    # Replaced by the app's real views.
    return HttpResponse("行政复议与行政诉讼")
