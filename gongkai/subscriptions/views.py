"""Public pages of 政策信息精准推送: subscribe, confirm (double opt-in), unsubscribe (one click, RFC 8058).

Confirming and unsubscribing change state only on POST: mail scanners that fetch links must not do either.
"""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gongkai.ratelimit.http import limit_posts
from gongkai.subscriptions import services
from gongkai.subscriptions.forms import SubscribeForm
from gongkai.subscriptions.models import Subscription
from gongkai.subscriptions.tokens import read_unsubscribe_token

SESSION_KEY = "subscribe_times"
SESSION_LIMIT = 5  # sign-ups per browser session and hour: a simple brake on form abuse
SESSION_WINDOW = 3600


def _session_allows(request: HttpRequest) -> bool:
    now = time.time()
    raw = request.session.get(SESSION_KEY, [])
    recent = [t for t in raw if isinstance(t, (int, float)) and now - t < SESSION_WINDOW]
    request.session[SESSION_KEY] = recent
    return len(recent) < SESSION_LIMIT


def _note_session(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), time.time()]


@require_http_methods(["GET", "POST"])
# Each sign-up sends an e-mail: a per-address brake shared by every worker, besides the per-session one below.
@limit_posts("subscribe", "GONGKAI_SUBSCRIBE_RATE", what="订阅")
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "subscriptions/subscribe.html", {"form": SubscribeForm()})
    form = SubscribeForm(request.POST)
    status = 200
    if form.is_valid():
        if not _session_allows(request):
            form.add_error(None, "提交过于频繁，请一小时后再试")
            status = 429
        else:
            data = form.cleaned_data
            try:
                services.subscription_create(
                    email=data["email"],
                    agency=data.get("agency"),
                    category=data.get("category") or "",
                    keyword=data.get("keyword") or "",
                )
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                _note_session(request)
                return render(request, "subscriptions/sent.html", {"email": data["email"]})
    return render(request, "subscriptions/subscribe.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    found = services.subscription_for_token(token)
    if found is None:
        return render(request, "subscriptions/invalid.html", status=404)
    if request.method == "POST":
        subscription = services.subscription_confirm(token=token)
        return render(request, "subscriptions/confirmed.html", {"subscription": subscription})
    return render(request, "subscriptions/confirm.html", {"subscription": found})


@csrf_exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" without a form; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription_id = read_unsubscribe_token(token) if len(token) <= 200 else None
    found = (
        Subscription.objects.select_related("agency").filter(pk=subscription_id).first() if subscription_id else None
    )
    if found is None:
        return render(request, "subscriptions/invalid.html", status=404)
    if request.method == "POST":
        services.subscription_unsubscribe(subscription=found)
        return render(request, "subscriptions/unsubscribed.html", {"subscription": found})
    return render(request, "subscriptions/unsubscribe.html", {"subscription": found, "done": found.unsubscribed_at})
