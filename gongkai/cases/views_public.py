"""Public pages of 依申请公开 (placeholder; the intake form and tracking page are being built)."""

from django.http import HttpRequest, HttpResponse


def track(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
