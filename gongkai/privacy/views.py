"""导出我的数据 (个人信息保护法第四十五条): a signed-in applicant downloads a ZIP of their own data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai.accounts.decorators import public_user_required
from gongkai.accounts.models import User
from gongkai.privacy.services import personal_data_export


@public_user_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    content = personal_data_export(user=user, actor=user, request=request)
    response = HttpResponse(content, content_type="application/zip")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="gongkai-my-data-{stamp}.zip"'
    response["Cache-Control"] = "no-store"
    return response
