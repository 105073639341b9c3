"""OpenAPI description of the token scheme (drf-spectacular finds this extension by the authentication class)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "gongkai.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "工作人员接口令牌，格式为“Token <令牌>”；由 `gongkai token create` 创建，只显示一次。",
        }
