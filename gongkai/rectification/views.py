from django.http import HttpRequest, HttpResponse


def placeholder(request: HttpRequest) -> HttpResponse:
    # Replaced by the app's real views.
    return HttpResponse("督促整改与投诉举报")
